import { systemStatusResponse, type SystemStatusResponse } from '@gatehouse/contracts';

export type Fetched<T> = { ok: true; data: T } | { ok: false; reason: string };

/**
 * Calls the api from the console's server side and validates the answer against the shared contract, so a
 * version mismatch shows as a clear message instead of a broken page.
 */
export async function fetchSystemStatus(
  apiUrl: string,
  fetcher: typeof fetch = fetch,
): Promise<Fetched<SystemStatusResponse>> {
  let res: Response;
  try {
    res = await fetcher(`${apiUrl}/api/v1/system/status`, { cache: 'no-store', signal: AbortSignal.timeout(5_000) });
  } catch {
    return { ok: false, reason: 'The Gatehouse API is not reachable. Is it running?' };
  }
  if (!res.ok) return { ok: false, reason: `The Gatehouse API answered ${res.status}.` };
  const parsed = systemStatusResponse.safeParse((await res.json().catch(() => undefined)) as unknown);
  return parsed.success
    ? { ok: true, data: parsed.data }
    : { ok: false, reason: 'The Gatehouse API answered in an unexpected format (are api and web the same version?).' };
}
