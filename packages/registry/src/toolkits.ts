/**
 * Toolkits an MCP server may expose. The catalog grows as toolkits land (demo, GitHub, Google, Slack — issue 6);
 * `conformance` serves the fixtures of the official MCP conformance suite (issue 4).
 */
export const TOOLKITS = [
  {
    name: 'conformance',
    title: 'MCP conformance fixtures',
    description: 'Tools, resources and prompts the official conformance suite expects.',
  },
] as const;

export type ToolkitName = (typeof TOOLKITS)[number]['name'];

export function isKnownToolkit(name: string): name is ToolkitName {
  return TOOLKITS.some((toolkit) => toolkit.name === name);
}
