/** The browser side of connecting the demo provider: a signed-in console browser approving at the provider. */
import { connectRequest, startConnectionResponse, type ConnectRequest } from '@gatehouse/contracts';
import { TestBrowser, formField } from './browser.js';
import { adminCall, type Member } from './oauth-flow.js';

/** A browser signed in to the console as `who` (the api's session cookie). */
export function browserOf(who: { cookie: string }): TestBrowser {
  const browser = new TestBrowser();
  const [name, value] = who.cookie.split('=') as [string, string];
  browser.cookies.set(`${name}|/`, { value, path: '/' });
  return browser;
}

/** Approves at the demo provider as `username`; returns the callback URL it redirects to (not yet opened). */
export async function approveAtProvider(
  browser: TestBrowser,
  providerUrl: string,
  authorizationUrl: string,
  username = 'alice',
): Promise<string> {
  const page = await browser.request(authorizationUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`approval page answered ${page.status}: ${html}`);
  const scopes = [...html.matchAll(/name="scope" value="([^"]+)"/g)].map((match) => match[1]!);
  const form = new URLSearchParams({
    interaction: formField(html, 'interaction'),
    csrf: formField(html, 'csrf'),
    username,
    decision: 'approve',
  });
  for (const scope of scopes) form.append('scope', scope);
  const approved = await fetch(`${providerUrl}/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: (page.headers.get('set-cookie') ?? '').split(';')[0]!,
    },
    body: form,
  });
  if (approved.status !== 302) throw new Error(`approval answered ${approved.status}`);
  return approved.headers.get('location')!;
}

/** The parts of a console connect link (`PUBLIC_WEB_URL/connect/{tenant}/{provider}?scope=…&elicitation=…`). */
export function consoleConnectLink(link: string): { slug: string; providerId: string; elicitationId: string } {
  const url = new URL(link);
  const [, slug, providerId] = /^\/connect\/([^/]+)\/([^/]+)$/.exec(url.pathname) ?? [];
  const elicitationId = url.searchParams.get('elicitation');
  if (!slug || !providerId || !elicitationId) throw new Error(`not a console connect link: ${link}`);
  return { slug: decodeURIComponent(slug), providerId: decodeURIComponent(providerId), elicitationId };
}

/** What the console's connect page asks the api about a link, as `who` (`GET …/connect-requests/{id}`). */
export function readConnectRequest(apiUrl: string, link: string, who: Member): Promise<Response> {
  const { slug, elicitationId } = consoleConnectLink(link);
  return adminCall(apiUrl, who, 'GET', `/api/v1/tenants/${slug}/connect-requests/${elicitationId}`);
}

/** The console page's Connect button, as `who`: the authorize request naming the link's elicitation. */
export function startFromConnectLink(
  apiUrl: string,
  link: string,
  who: Member,
  scopes: readonly string[],
): Promise<Response> {
  const { slug, providerId, elicitationId } = consoleConnectLink(link);
  return adminCall(apiUrl, who, 'POST', `/api/v1/tenants/${slug}/connections/${providerId}/authorize`, {
    scopes,
    elicitationId,
    returnTo: `/connect/${slug}/${providerId}`,
  });
}

/**
 * Follows a console connect link in `who`'s browser the way the console's page does, over the api (the web process
 * need not run): reads who is asking, presses Connect (session + CSRF), approves at the demo provider as `username`,
 * and opens the callback, which must send the browser back to the console's page with `connected`. Returns the
 * callback URL (with the authorization code and state) and what the page showed.
 */
export async function connectThroughLink(
  urls: { api: string; provider: string },
  link: string,
  who: Member,
  username: string,
): Promise<{ callback: string; request: ConnectRequest }> {
  const { slug, providerId } = consoleConnectLink(link);
  const asked = await readConnectRequest(urls.api, link, who);
  if (asked.status !== 200) throw new Error(`connect request answered ${asked.status}: ${await asked.text()}`);
  const request = connectRequest.parse(await asked.json());
  const started = await startFromConnectLink(urls.api, link, who, request.scopes);
  if (started.status !== 200) throw new Error(`authorize answered ${started.status}: ${await started.text()}`);
  const { authorizationUrl } = startConnectionResponse.parse(await started.json());
  const browser = browserOf(who);
  const callback = await approveAtProvider(browser, urls.provider, authorizationUrl, username);
  const done = await browser.request(callback);
  const back = new URL(done.headers.get('location') ?? '', link);
  if (
    done.status !== 303 ||
    back.origin !== new URL(link).origin ||
    back.pathname !== `/connect/${slug}/${providerId}` ||
    back.searchParams.get('connected') !== providerId
  )
    throw new Error(`callback answered ${done.status} ${back.toString()}: ${await done.text()}`);
  return { callback, request };
}
