import { headers } from 'next/headers';
import type { z } from 'zod';
import { webConfig } from './config';
import { describeProblem, UNEXPECTED, UNREACHABLE, type ApiResult } from './problem';

/**
 * Server-side calls to the api on behalf of the person viewing the page: the incoming request's cookies are
 * forwarded (the session cookie lives on the console's origin, see app/api/v1/[...path]/route.ts), answers are
 * validated with the contract schema, and failures become one plain sentence.
 */
export async function apiGet<T>(path: string, schema: z.ZodType<T>): Promise<ApiResult<T>> {
  const cookie = (await headers()).get('cookie');
  let res: Response;
  try {
    res = await fetch(`${webConfig().API_INTERNAL_URL}${path}`, {
      cache: 'no-store',
      headers: { accept: 'application/json', ...(cookie ? { cookie } : {}) },
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    return { ok: false, status: 503, message: UNREACHABLE };
  }
  const body = (await res.json().catch(() => undefined)) as unknown;
  if (!res.ok) return { ok: false, status: res.status, ...describeProblem(res.status, body) };
  const parsed = schema.safeParse(body);
  return parsed.success ? { ok: true, data: parsed.data } : { ok: false, status: 502, message: UNEXPECTED };
}
