/** What an MCP server exposes: whole toolkits, plus single tools as `toolkit.tool`; some tools for admins only. */
export interface ServerTools {
  readonly toolkits: readonly string[];
  readonly tools: readonly string[];
  readonly adminOnlyTools: readonly string[];
}

/** The server's tools withheld from a person of `role`: a member sees no admin-only tool. */
export function withheldFor(role: string, adminOnlyTools: readonly string[]): readonly string[] {
  return role === 'member' ? adminOnlyTools : [];
}

/**
 * Whether a selection exposes tool `name` (`toolkit.tool`) of `toolkit`: its toolkit enabled whole or the tool
 * itself, and not withheld. The one rule behind `tools/list`, the api's `tools/call` and the worker's re-check.
 */
export function exposesTool(
  selection: {
    readonly toolkits: readonly string[];
    readonly tools: readonly string[];
    readonly withheld?: readonly string[] | undefined;
  },
  toolkit: string,
  name: string,
): boolean {
  return (
    (selection.toolkits.includes(toolkit) || selection.tools.includes(name)) && !selection.withheld?.includes(name)
  );
}
