/** The scopes this provider knows. `notes:write` does not imply `notes:read`: ask for both to do both. */
export const SCOPES = ['notes:read', 'notes:write'] as const;

export type Scope = (typeof SCOPES)[number];

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}

/**
 * A space-separated scope parameter (RFC 6749 §3.3) as a de-duplicated list in canonical order, or `undefined` when
 * it names a scope this provider does not know or names none.
 */
export function parseScopeParameter(value: string | undefined): Scope[] | undefined {
  const names = (value ?? '').split(' ').filter(Boolean);
  if (names.length === 0 || !names.every(isScope)) return undefined;
  return SCOPES.filter((scope) => names.includes(scope));
}
