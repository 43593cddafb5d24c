import type { NextRequest } from 'next/server';
import { webConfig } from '@/lib/config';

/**
 * The console's door to the api: the browser only ever talks to the console's origin, and this handler forwards
 * `/api/v1/*` to API_INTERNAL_URL. The session cookie is therefore first-party here; the api still does every
 * check itself (session, CSRF header, Origin = PUBLIC_WEB_URL, roles). Only the headers those checks and the
 * answers need pass, in each direction.
 */
const REQUEST_HEADERS = ['accept', 'content-type', 'cookie', 'origin', 'x-csrf-token', 'x-request-id', 'user-agent'];
const RESPONSE_HEADERS = [
  'content-type',
  'content-disposition',
  'cache-control',
  'retry-after',
  'x-request-id',
  'location',
];

async function forward(request: NextRequest, { params }: { params: Promise<{ path: string[] }> }) {
  const { path } = await params;
  const target = new URL(`/api/v1/${path.map(encodeURIComponent).join('/')}`, webConfig().API_INTERNAL_URL);
  target.search = request.nextUrl.search;
  const headers = new Headers();
  for (const name of REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const forwardedFor = request.headers.get('x-forwarded-for');
  if (forwardedFor) headers.set('x-forwarded-for', forwardedFor);
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      redirect: 'manual',
      cache: 'no-store',
      ...(hasBody ? { body: await request.arrayBuffer() } : {}),
    });
  } catch {
    return Response.json(
      {
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        code: 'unavailable',
        detail: 'The Gatehouse API is not reachable. Is it running?',
      },
      { status: 503, headers: { 'content-type': 'application/problem+json' } },
    );
  }
  const answer = new Headers();
  for (const name of RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) answer.set(name, value);
  }
  for (const cookie of upstream.headers.getSetCookie()) answer.append('set-cookie', cookie);
  return new Response(upstream.status === 204 ? null : upstream.body, { status: upstream.status, headers: answer });
}

export const dynamic = 'force-dynamic';
export { forward as GET, forward as POST, forward as PUT, forward as PATCH, forward as DELETE };
