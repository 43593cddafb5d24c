/** A console path to go to after signing in; anything else (another origin, `//host`) becomes `/`. */
export function safeNext(value: string | string[] | undefined): string {
  const next = Array.isArray(value) ? value[0] : value;
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
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
