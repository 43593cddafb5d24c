/**
 * The value at a dot path (`authed_user.id`) in a parsed JSON response, or undefined. Only own properties are
 * followed, so a path can never reach `__proto__` or `constructor` of a response object.
 */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
