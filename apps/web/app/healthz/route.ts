// Liveness of the console's server (used by process managers and container probes).
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok', service: 'web' }, { headers: { 'cache-control': 'no-store' } });
}
