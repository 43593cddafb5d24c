import type { ToolDefinition } from './tool.definition.js';
import type { ToolkitDefinition } from './toolkit.definition.js';
import { exposesTool, PROVIDER_TOOLKITS } from '@gatehouse/tools';
import { providerToolkitDefinition } from './provider-tools.js';
import { conformanceToolkit } from './toolkits/conformance/conformance.toolkit.js';

/**
 * Every toolkit a server can expose. Tools are called by their name — bare for the conformance fixtures, `toolkit.tool`
 * for provider toolkits — so names are unique across toolkits.
 */
export const TOOLKITS: readonly ToolkitDefinition[] = assertUniqueToolNames([
  conformanceToolkit,
  ...PROVIDER_TOOLKITS.map(providerToolkitDefinition),
]);

export interface ToolkitCatalogEntry {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** Bare tool names; a server selects one as `toolkit.tool`. */
  readonly tools: readonly string[];
}

/** The catalog as data, for validating a server's selection (`toolkits` and `toolkit.tool` names). */
export const TOOLKIT_CATALOG: readonly ToolkitCatalogEntry[] = TOOLKITS.map((toolkit) => ({
  name: toolkit.name,
  title: toolkit.title,
  description: toolkit.description,
  tools: toolkit.tools.map((tool) => tool.name),
}));

/** Every tool of the catalog with its version and schemas, as the api records them at boot (`tool_versions`). */
export function toolVersionEntries(toolkits: readonly ToolkitDefinition[] = TOOLKITS) {
  return toolkits.flatMap((toolkit) =>
    toolkit.tools.map((tool) => ({
      name: tool.name,
      version: tool.version ?? '1',
      toolkit: toolkit.name,
      provider: tool.provider ?? null,
      scopes: [...(tool.scopes ?? [])],
      annotations: { ...(tool.annotations ?? {}) },
      inputSchema: tool.inputSchema,
      outputSchema: (tool.outputSchema as Record<string, unknown> | undefined) ?? null,
    })),
  );
}

/** What a server exposes: whole toolkits, plus single tools as `toolkit.tool`. */
export interface ToolSelection {
  readonly toolkits: readonly string[];
  readonly tools: readonly string[];
  /** `toolkit.tool` names withheld from this person (e.g. admin-only tools for a member): not listed, not callable. */
  readonly withheld?: readonly string[] | undefined;
}

export interface Exposure {
  /** In catalog order, each once. */
  readonly tools: readonly ToolDefinition[];
  /** Toolkits enabled whole: only these also expose their resources and prompts. */
  readonly wholeToolkits: readonly ToolkitDefinition[];
}

/**
 * Resolves a selection against the catalog. Entries the catalog does not know are skipped, not fatal: the registry
 * rejects them when a server is saved, and a toolkit or tool retired later must not take the endpoint down.
 */
export function resolveExposure(selection: ToolSelection, toolkits: readonly ToolkitDefinition[] = TOOLKITS): Exposure {
  return {
    tools: toolkits.flatMap((toolkit) =>
      toolkit.tools.filter((tool) => exposesTool(selection, toolkit.name, qualifiedToolName(toolkit.name, tool.name))),
    ),
    wholeToolkits: toolkits.filter((toolkit) => selection.toolkits.includes(toolkit.name)),
  };
}

/** The selection's entries that name no catalogued toolkit or tool, for the registry to reject. */
export function unknownSelections(selection: ToolSelection, toolkits: readonly ToolkitDefinition[] = TOOLKITS) {
  const known = new Set(
    toolkits.flatMap((toolkit) => toolkit.tools.map((t) => qualifiedToolName(toolkit.name, t.name))),
  );
  return [
    ...selection.toolkits.filter((name) => !toolkits.some((toolkit) => toolkit.name === name)),
    ...selection.tools.filter((name) => !known.has(name)),
  ];
}

/** `toolkit.tool`; provider tools' names already have that form. */
export function qualifiedToolName(toolkit: string, tool: string): string {
  return tool.startsWith(`${toolkit}.`) ? tool : `${toolkit}.${tool}`;
}

function assertUniqueToolNames(toolkits: readonly ToolkitDefinition[]): readonly ToolkitDefinition[] {
  const seen = new Map<string, string>();
  for (const toolkit of toolkits) {
    for (const tool of toolkit.tools) {
      const owner = seen.get(tool.name);
      if (owner !== undefined) throw new Error(`Tool ${tool.name} is in both ${owner} and ${toolkit.name}`);
      seen.set(tool.name, toolkit.name);
    }
  }
  return toolkits;
}
