import { NextResponse, type NextRequest } from 'next/server';
import { REQUEST_PATH_HEADER } from './lib/paths';

/**
 * A Content Security Policy per page view: scripts run only with this response's nonce (Next puts it on its own
 * scripts, and `strict-dynamic` lets those load the rest), so markup that slipped into a page cannot run script and
 * act with the person's session and CSRF token. Pages render per request already (the root layout reads cookies).
 */
export function proxy(request: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64');
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    // React sets style attributes; no stylesheet comes from elsewhere.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    // Forms submit here only (the audit filters); form-action does not fall back to default-src.
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  const headers = new Headers(request.headers);
  // Next reads the nonce for its scripts from the request's policy.
  headers.set('content-security-policy', policy);
  // Where to come back to after signing in (set here, over anything the browser sent).
  headers.set(REQUEST_PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  // Pages only: not the api forwarder, Next's static files, or prefetches (which reuse the page's policy).
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico|healthz).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
