const HERE = 'http://console.invalid';

/**
 * A console path to go to after signing in; anything else becomes `/`. Judged as a browser reads it: resolved
 * against this origin it must stay here (browsers drop tabs and newlines from URLs, so `/<tab>/evil.example` is
 * `//evil.example`), and it is returned as resolved, so what is checked is what is followed.
 */
export function safeNext(value: string | string[] | undefined): string {
  const next = Array.isArray(value) ? value[0] : value;
  if (!next?.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, HERE);
  } catch {
    return '/';
  }
  if (url.origin !== HERE) return '/';
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') || path.startsWith('/\\') ? '/' : path;
}

/** A query parameter as one string (the first when repeated), or undefined. */
export function param(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === '' ? undefined : first;
}

/** A page's query string, as Next hands it to the page. */
export type SearchParams = Promise<Record<string, string | string[]>>;

/** What Next hands a page under `/t/[slug]`. */
export interface TenantPageProps {
  params: Promise<{ slug: string }>;
  searchParams: SearchParams;
}

/** The request header the proxy sets to the page's path and query (see `requireSession`). */
export const REQUEST_PATH_HEADER = 'x-gatehouse-path';
