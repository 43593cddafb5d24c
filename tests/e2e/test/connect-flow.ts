/** The browser side of connecting the demo provider: a signed-in console browser approving at the provider. */
import { TestBrowser, formField } from './browser.js';

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
