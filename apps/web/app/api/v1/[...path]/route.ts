import type { NextRequest } from 'next/server';
import { webConfig } from '@/lib/config';

/**
 * The console's door to the api: the browser only ever talks to the console's origin, and this handler forwards
 * `/api/v1/*` to API_INTERNAL_URL. The session cookie is therefore first-party here; the api still does every
 * check itself (session, CSRF header, Origin = PUBLIC_WEB_URL, roles). Only the headers those checks and the
 * answers need pass, in each direction.
 */
const REQUEST_HEADERS = [
  'accept',
  'content-type',
  'cookie',
  'if-match',
  'origin',
  'x-csrf-token',
  'x-request-id',
  'user-agent',
];
const RESPONSE_HEADERS = [
  'content-type',
  'etag',
  'content-disposition',
  'cache-control',
  'retry-after',
  'x-request-id',
  'location',
  // The api's own pages (the connect callback, reached here when the console has another host) keep their strict
  // policy on this origin: the console's page policy (proxy.ts) does not cover /api.
  'content-security-policy',
  'x-frame-options',
  'referrer-policy',
  'x-content-type-options',
];

/** What every console response carries (next.config.ts), for answers where the api sent none of its own. */
const BASELINE_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'content-security-policy': "frame-ancestors 'none'",
};

/** The api takes at most 1 MB of JSON; the console reads no more than that of anyone's body (before any check). */
const MAX_BODY_BYTES = 1024 * 1024;

function problemResponse(status: number, code: string, title: string, detail: string): Response {
  return Response.json(
    { type: 'about:blank', title, status, code, detail },
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
}

const TOO_LARGE = () =>
  problemResponse(413, 'payload_too_large', 'Content Too Large', 'The request body is larger than 1 MB.');

/** The request's body, or undefined once it passes `MAX_BODY_BYTES` (declared or as it streams in). */
async function boundedBody(request: NextRequest): Promise<ArrayBuffer | undefined> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  if (!reader) return new ArrayBuffer(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return whole.buffer;
}

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
  const body = hasBody ? await boundedBody(request) : undefined;
  if (hasBody && body === undefined) return TOO_LARGE();
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      redirect: 'manual',
      cache: 'no-store',
      ...(body !== undefined ? { body } : {}),
    });
  } catch {
    return problemResponse(
      503,
      'unavailable',
      'Service Unavailable',
      'The Gatehouse API is not reachable. Is it running?',
    );
  }
  const answer = new Headers();
  for (const name of RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) answer.set(name, value);
  }
  for (const [name, value] of Object.entries(BASELINE_HEADERS)) if (!answer.has(name)) answer.set(name, value);
  for (const cookie of upstream.headers.getSetCookie()) answer.append('set-cookie', cookie);
  return new Response(upstream.status === 204 ? null : upstream.body, { status: upstream.status, headers: answer });
}

export const dynamic = 'force-dynamic';
export { forward as GET, forward as POST, forward as PUT, forward as PATCH, forward as DELETE };
