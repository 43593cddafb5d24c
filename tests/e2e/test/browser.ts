/**
 * A minimal browser for OAuth flows in tests: a cookie jar (names, paths, expiry), manual redirects, and the HTML
 * forms of the sign-in and consent pages. Real HTTP against the running api; nothing is mocked.
 */
interface Cookie {
  value: string;
  path: string;
}

export interface Page {
  status: number;
  url: string;
  html: string;
  headers: Headers;
}

export class TestBrowser {
  readonly cookies = new Map<string, Cookie>();
  /** The page last shown (by `follow`): where a form post comes from. */
  private shown: { url: string; referrerPolicy: string } | undefined;

  /**
   * The Origin header of a form post from the page last shown, as browsers send it (Fetch, "append a request Origin
   * header"): `null` when that page's referrer policy is `no-referrer`, else the page's origin.
   */
  private formOrigin(): string | undefined {
    if (!this.shown) return undefined;
    const policies = this.shown.referrerPolicy.split(',').map((policy) => policy.trim().toLowerCase());
    return policies.at(-1) === 'no-referrer' ? 'null' : new URL(this.shown.url).origin;
  }

  private store(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key, attributeValue = ''] = attribute.split('=');
        if (key!.toLowerCase() === 'path') path = attributeValue;
        if (key!.toLowerCase() === 'max-age' && Number(attributeValue) <= 0) expired = true;
        if (key!.toLowerCase() === 'expires' && Date.parse(attributeValue) < Date.now()) expired = true;
      }
      if (expired) this.cookies.delete(`${name}|${path}`);
      else this.cookies.set(`${name}|${path}`, { value, path });
    }
  }

  private cookieHeader(url: URL): string {
    return [...this.cookies.entries()]
      .filter(([, cookie]) => url.pathname.startsWith(cookie.path))
      .map(([key, cookie]) => `${key.split('|')[0]}=${cookie.value}`)
      .join('; ');
  }

  /** One request, no redirect following. */
  async request(url: string, init: { method?: string; form?: Record<string, string>; origin?: string } = {}) {
    const target = new URL(url);
    const headers: Record<string, string> = { cookie: this.cookieHeader(target) };
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (init.origin) headers.origin = init.origin;
    const response = await fetch(target, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      headers,
      redirect: 'manual',
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    this.store(response.headers.getSetCookie());
    return response;
  }

  /**
   * Follows redirects until a page is shown or a URL outside `origin` is reached (the client's redirect URI),
   * which is returned instead of being fetched.
   */
  async follow(
    url: string,
    origin: string,
    init: { form?: Record<string, string> } = {},
  ): Promise<Page | { redirect: string }> {
    // A form post carries the Origin a browser would send from the page showing the form; a navigation none.
    const formOrigin = init.form ? this.formOrigin() : undefined;
    let response = await this.request(url, formOrigin === undefined ? init : { ...init, origin: formOrigin });
    let current = url;
    for (let hops = 0; hops < 10; hops++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        this.shown = { url: current, referrerPolicy: response.headers.get('referrer-policy') ?? '' };
        return { status: response.status, url: current, html: await response.text(), headers: response.headers };
      }
      current = new URL(location, current).toString();
      if (new URL(current).origin !== origin) return { redirect: current };
      response = await this.request(current);
    }
    throw new Error('too many redirects');
  }
}

export function formField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no ${name} field in page:\n${html}`);
  return match[1]!.replace(/&amp;/g, '&');
}

export function formAction(html: string, contains: string): string {
  const actions = [...html.matchAll(/action="([^"]+)"/g)].map((match) => match[1]!);
  const action = actions.find((candidate) => candidate.includes(contains));
  if (!action) throw new Error(`no form posting to *${contains}* in page:\n${html}`);
  return action;
}
