import type { ProviderTool, ProviderToolkit } from './provider-tool.js';
import { demoToolkit } from './toolkits/demo.toolkit.js';
import { githubToolkit } from './toolkits/github.toolkit.js';
import { gmailToolkit, googleCalendarToolkit } from './toolkits/google.toolkits.js';
import { slackToolkit } from './toolkits/slack.toolkit.js';

/** Every toolkit whose tools act at a provider as the calling person (they run in the worker). */
export const PROVIDER_TOOLKITS: readonly ProviderToolkit[] = [
  demoToolkit,
  githubToolkit,
  googleCalendarToolkit,
  gmailToolkit,
  slackToolkit,
];

for (const toolkit of PROVIDER_TOOLKITS) {
  for (const tool of toolkit.tools) {
    if (!tool.name.startsWith(`${toolkit.name}.`) || tool.provider !== toolkit.provider)
      throw new Error(`${tool.name} does not belong to toolkit ${toolkit.name}`);
  }
}

const byName = new Map(
  PROVIDER_TOOLKITS.flatMap((toolkit) => toolkit.tools.map((tool) => [tool.name, { toolkit, tool }] as const)),
);

/** A tool and its toolkit by the tool's name, or undefined. */
export function findProviderTool(name: string): { toolkit: ProviderToolkit; tool: ProviderTool } | undefined {
  return byName.get(name);
}
