import { CSRF_HEADER } from '@gatehouse/contracts';
import { describeProblem, UNEXPECTED, UNREACHABLE, type ApiResult } from './problem';

/**
 * The browser's calls to the api, always same-origin (`/api/v1/...` on the console, forwarded by the console's
 * server): the session cookie goes along by itself, state-changing requests echo the session's CSRF token.
 */
export async function callApi<T = undefined>(
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  csrfToken: string | undefined,
  body?: unknown,
  schema?: { safeParse(value: unknown): { success: true; data: T } | { success: false } },
  /** The revision the change was made on (`If-Match`): the api refuses it (412) if someone changed the object since. */
  ifRevision?: string,
): Promise<ApiResult<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(csrfToken ? { [CSRF_HEADER]: csrfToken } : {}),
        ...(ifRevision ? { 'if-match': `"${ifRevision}"` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    return { ok: false, status: 503, message: UNREACHABLE };
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) return { ok: false, status: res.status, ...describeProblem(res.status, json) };
  if (!schema) return { ok: true, data: undefined as T };
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, status: 502, message: UNEXPECTED };
}
