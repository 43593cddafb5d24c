import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:https';
import { createDatabase } from '@gatehouse/db';
import { testDatabaseUrl } from '@gatehouse/testing';
import { formAction, formField, TestBrowser } from './browser.js';
import { makeLocalCa, serveDocuments, type LocalCa } from './local-tls.js';
import { adminCall, authorizeInBrowser, PASSWORD, signUp, tenantWithServer, type Member } from './oauth-flow.js';
import { startApiProcess, type ApiProcess } from './stack.js';

const REDIRECT = 'http://127.0.0.1:9/callback';
/** A metadata document whose URL (its client id) is longer than the 2048 characters a client id is stored in. */
const LONG_PATH = `/clients/${'a'.repeat(2100)}.json`;

let api: ApiProcess;
let ca: LocalCa;
let documents: { origin: string; server: Server };
let alice: Member;
let bob: Member;
let endpointA: string;
let endpointB: string;
let clientId: string;

beforeAll(async () => {
  ca = makeLocalCa();
  documents = await serveDocuments(ca, (origin) => ({
    '/client.json': {
      client_id: `${origin}/client.json`,
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
    },
    '/impostor.json': {
      client_id: `${origin}/client.json`,
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
    },
    [LONG_PATH]: {
      client_id: `${origin}${LONG_PATH}`,
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
    },
  }));
  api = await startApiProcess({ NODE_EXTRA_CA_CERTS: ca.caFile });
  [alice, bob] = await Promise.all([signUp(api.url, 'alice'), signUp(api.url, 'bob')]);
  [endpointA, endpointB] = await Promise.all([
    tenantWithServer(api.url, alice, 'tenant-a'),
    tenantWithServer(api.url, bob, 'tenant-b'),
  ]);
  const registration = await fetch(`${api.url}/oauth/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_name: 'neg' }),
  });
  expect(registration.status).toBe(201);
  clientId = ((await registration.json()) as { client_id: string }).client_id;
}, 60_000);

afterAll(async () => {
  await api?.stop();
  if (documents) await new Promise((resolve) => documents.server.close(resolve));
});

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizationUrl(params: Record<string, string | undefined>): string {
  const url = new URL(`${api.url}/oauth/auth`);
  const defaults = { client_id: clientId, redirect_uri: REDIRECT, response_type: 'code', state: 'st' };
  for (const [key, value] of Object.entries({ ...defaults, ...params }))
    if (value !== undefined) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * An authorization request refused before the person saw any page: never a redirect to the client, but a page of the
 * server naming the error and the site, whose one link is the error response the client would have got.
 */
async function refusalOf(url: string): Promise<{ html: string; link: URL }> {
  const response = await fetch(url, { redirect: 'manual' });
  const html = await response.text();
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
  expect(response.headers.get('content-type')).toMatch(/^text\/html/);
  expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
  expect(html).toContain('Sign-in request refused');
  const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!.replaceAll('&amp;', '&'));
  expect(hrefs).toHaveLength(1);
  return { html, link: new URL(hrefs[0]!) };
}

async function code(person: Member, resource: string | undefined, scope = 'mcp:tools') {
  const { verifier, challenge } = pkce();
  const callback = await authorizeInBrowser(
    new TestBrowser(),
    authorizationUrl({ resource, scope, code_challenge: challenge, code_challenge_method: 'S256' }),
    { email: person.email, password: PASSWORD },
  );
  return { code: callback.searchParams.get('code')!, verifier };
}

function exchange(grant: { code: string; verifier: string }, resource?: string) {
  return fetch(`${api.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: grant.code,
      redirect_uri: REDIRECT,
      client_id: clientId,
      code_verifier: grant.verifier,
      ...(resource ? { resource } : {}),
    }),
  });
}

async function tokensFor(person: Member, resource: string | undefined, scope?: string) {
  const response = await exchange(await code(person, resource, scope), resource);
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; refresh_token?: string; scope?: string };
}

function callMcp(endpoint: string, token: string) {
  return fetch(endpoint, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
}

test('the MCP endpoint challenges a request without a token with its protected-resource metadata', async () => {
  const response = await fetch(endpointA, {
    method: 'POST',
    body: '{}',
    headers: { 'content-type': 'application/json' },
  });
  expect(response.status).toBe(401);
  const challenge = response.headers.get('www-authenticate')!;
  expect(challenge).toMatch(/^Bearer resource_metadata="[^"]+", scope="mcp:tools"$/);
  const metadataUrl = /resource_metadata="([^"]+)"/.exec(challenge)![1]!;
  expect(new URL(metadataUrl).pathname).toBe(`/.well-known/oauth-protected-resource${new URL(endpointA).pathname}`);
  const metadata = (await (await fetch(metadataUrl)).json()) as Record<string, unknown>;
  expect(metadata).toMatchObject({ resource: endpointA, authorization_servers: [`${api.url}/oauth`] });
  const as = (await (await fetch(`${api.url}/.well-known/oauth-authorization-server/oauth`)).json()) as Record<
    string,
    unknown
  >;
  expect(as).toMatchObject({
    issuer: `${api.url}/oauth`,
    code_challenge_methods_supported: ['S256'],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
  });
  expect(as.registration_endpoint).toBe(`${api.url}/oauth/reg`);
  // Bearer tokens only (the MCP endpoint checks no DPoP proof), and no pushed authorization requests.
  expect(as).not.toHaveProperty('dpop_signing_alg_values_supported');
  expect(as).not.toHaveProperty('pushed_authorization_request_endpoint');
  expect((await fetch(`${api.url}/oauth/request`, { method: 'POST' })).status).toBe(404);
});

test('PKCE is required and only S256 is accepted', async () => {
  const { link: plain } = await refusalOf(
    authorizationUrl({
      resource: endpointA,
      scope: 'mcp:tools',
      code_challenge: 'a'.repeat(43),
      code_challenge_method: 'plain',
    }),
  );
  expect(plain.searchParams.get('error')).toBe('invalid_request');
  const { link: missing, html } = await refusalOf(authorizationUrl({ resource: endpointA, scope: 'mcp:tools' }));
  expect(`${missing.origin}${missing.pathname}`).toBe(REDIRECT);
  expect(missing.searchParams.get('error')).toBe('invalid_request');
  expect(missing.searchParams.get('error_description')).toMatch(/PKCE/);
  expect(missing.searchParams.get('state')).toBe('st');
  expect(html).toContain('<strong>neg</strong>');
  expect(html).toMatch(/invalid_request: .*PKCE/);
});

test('a refused authorization request never sends the browser to a registered site by itself (RFC 9700 §4.11.2)', async () => {
  // Anyone may register a client with any https redirect URI: an erroneous request must not turn the server's sign-in
  // URL into a redirect to it.
  const registration = await fetch(`${api.url}/oauth/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: ['https://phish.example/cb'],
      token_endpoint_auth_method: 'none',
      client_name: 'Totally <b>Legit</b>',
    }),
  });
  expect(registration.status).toBe(201);
  const phishing = ((await registration.json()) as { client_id: string }).client_id;
  const { challenge } = pkce();
  const ask = (params: Record<string, string>) =>
    authorizationUrl({
      client_id: phishing,
      redirect_uri: 'https://phish.example/cb',
      resource: endpointA,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...params,
    });
  for (const params of [
    { scope: 'mcp:tools', code_challenge_method: 'plain' },
    { scope: 'mcp:tools', response_type: 'token' },
    { scope: 'mcp:tools', prompt: 'none' },
    { scope: 'mcp:tools', resource: `${api.url}/mcp/no-such/server` },
    { scope: 'mcp:tools', response_mode: 'fragment', code_challenge_method: 'plain' },
    { scope: 'mcp:tools', prompt: 'none', response_mode: 'form_post' },
  ]) {
    const response = await fetch(ask(params), { redirect: 'manual' });
    expect([params, response.status, response.headers.get('location')]).toEqual([params, 400, null]);
    const html = await response.text();
    expect(html).toContain('Sign-in request refused');
    expect(html).toContain('Totally &lt;b&gt;Legit&lt;/b&gt;');
    expect(html).not.toContain('<form');
    if (params.response_mode !== 'form_post') expect(html).toContain('<code>phish.example</code>');
  }
  const { link } = await refusalOf(ask({ scope: 'mcp:tools', response_mode: 'fragment', prompt: 'none' }));
  expect(new URLSearchParams(link.hash.slice(1)).get('error')).toBe('login_required');
  // A valid request is still answered with the sign-in page (the person sees who is asking before anything).
  const valid = await fetch(ask({ scope: 'mcp:tools' }), { redirect: 'manual' });
  expect(valid.status).toBe(303);
  expect(new URL(valid.headers.get('location')!, api.url).pathname).toMatch(/^\/oauth\/interaction\//);

  // Once the person has seen the request's pages, their answer goes back to the client as usual: Deny → access_denied.
  const browser = new TestBrowser();
  const origin = api.url;
  const { challenge: own } = pkce();
  let page = await browser.follow(
    authorizationUrl({ resource: endpointA, scope: 'mcp:tools', code_challenge: own, code_challenge_method: 'S256' }),
    origin,
  );
  if (!('html' in page)) throw new Error('expected the sign-in page');
  page = await browser.follow(new URL(formAction(page.html, '/login'), origin).toString(), origin, {
    form: { csrf: formField(page.html, 'csrf'), email: alice.email, password: PASSWORD },
  });
  if (!('html' in page)) throw new Error('expected the consent page');
  const denied = await browser.follow(new URL(formAction(page.html, '/abort'), origin).toString(), origin, {
    form: { csrf: formField(page.html, 'csrf') },
  });
  if (!('redirect' in denied)) throw new Error(`expected a redirect to the client, got ${denied.status}`);
  const back = new URL(denied.redirect);
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
  expect(back.searchParams.get('error')).toBe('access_denied');
});

test('a client that registers with a secret gets it once; the server keeps only its digest, which is no secret that works', async () => {
  const registered = await fetch(`${api.url}/oauth/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_post' }),
  });
  expect(registered.status).toBe(201);
  const { client_id: id, client_secret: secret } = (await registered.json()) as {
    client_id: string;
    client_secret: string;
  };
  expect(secret.length).toBeGreaterThanOrEqual(43);
  const db = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
  let stored: string;
  try {
    const row = await db.oAuthModel.findFirstOrThrow({ where: { kind: 'Client', id } });
    stored = (row.payload as { client_secret: string }).client_secret;
  } finally {
    await db.$disconnect();
  }
  expect(stored).toMatch(/^sha256\$/);
  expect(JSON.stringify(stored)).not.toContain(secret);

  const { verifier, challenge } = pkce();
  const callback = await authorizeInBrowser(
    new TestBrowser(),
    authorizationUrl({
      client_id: id,
      resource: endpointA,
      scope: 'mcp:tools',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
    { email: alice.email, password: PASSWORD },
  );
  const redeem = (clientSecret: string) =>
    fetch(`${api.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code')!,
        redirect_uri: REDIRECT,
        client_id: id,
        client_secret: clientSecret,
        code_verifier: verifier,
        resource: endpointA,
      }),
    });
  // The stored digest and a wrong secret are refused (the client is not authenticated, the code not touched) …
  for (const wrong of [stored, `${secret}x`]) {
    const refused = await redeem(wrong);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_client');
  }
  // … the secret itself works.
  const tokens = await redeem(secret);
  expect(tokens.status).toBe(200);
  expect(((await tokens.json()) as { access_token?: string }).access_token).toBeTruthy();
  // client_secret_jwt would need the secret itself as an HMAC key: not offered.
  const jwt = await fetch(`${api.url}/oauth/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'client_secret_jwt' }),
  });
  expect(jwt.status).toBe(400);
});

test('registration takes https redirect URIs, and plain http only on the loopback interface', async () => {
  const register = (uri: string) =>
    fetch(`${api.url}/oauth/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [uri], token_endpoint_auth_method: 'none' }),
    });
  for (const uri of ['http://evil.example/cb', 'http://10.0.0.5/cb', 'http://localhost.evil.example/cb']) {
    const refused = await register(uri);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toBe('invalid_redirect_uri');
  }
  for (const uri of ['https://app.example/cb', 'http://127.0.0.1:33418/cb', 'http://localhost/cb', 'http://[::1]:8/cb'])
    expect((await register(uri)).status).toBe(201);
});

test("a NUL character in any OAuth parameter is the client's error, never a server error", async () => {
  // An unknown client, however its id is written.
  const token = await fetch(`${api.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=authorization_code&code=x&code_verifier=y&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&client_id=%00',
  });
  expect(token.status).toBe(401);
  expect(((await token.json()) as { error: string }).error).toBe('invalid_client');
  const unknown = await fetch(authorizationUrl({ client_id: '\u0000' }), { redirect: 'manual' });
  expect(unknown.status).toBe(400);
  // Metadata a client registers.
  const registration = await fetch(`${api.url}/oauth/reg`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_name: 'a\u0000b' }),
  });
  expect(registration.status).toBe(400);
  expect(((await registration.json()) as { error: string }).error).toBe('invalid_client_metadata');
  // A `state` (stored with the sign-in under way): refused on the server's own page, no redirect.
  const { challenge } = pkce();
  const state = await fetch(
    authorizationUrl({ state: 'a\u0000b', code_challenge: challenge, code_challenge_method: 'S256' }),
    { redirect: 'manual' },
  );
  expect(state.status).toBe(400);
  expect(state.headers.get('location')).toBeNull();
  expect(await state.text()).toContain('invalid_request');
});

test('a redirect URI that was not registered is refused without redirecting', async () => {
  const { challenge } = pkce();
  const response = await fetch(
    authorizationUrl({
      redirect_uri: 'http://127.0.0.1:9/elsewhere',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
    { redirect: 'manual' },
  );
  expect(response.status).toBe(400);
  expect(response.headers.get('location')).toBeNull();
});

test('a replayed authorization code is refused and revokes the tokens it issued', async () => {
  const grant = await code(alice, endpointA);
  const first = await exchange(grant, endpointA);
  expect(first.status).toBe(200);
  const tokens = (await first.json()) as { access_token: string; refresh_token: string };
  expect((await callMcp(endpointA, tokens.access_token)).status).toBe(200);

  const replay = await exchange(grant, endpointA);
  expect(replay.status).toBe(400);
  expect(((await replay.json()) as { error: string }).error).toBe('invalid_grant');
  expect((await callMcp(endpointA, tokens.access_token)).status).toBe(401);
  const refresh = await fetch(`${api.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: clientId,
    }),
  });
  expect(((await refresh.json()) as { error: string }).error).toBe('invalid_grant');
});

test('a code or refresh token redeemed several times at once: one answer, the others invalid_grant — never a 500', async () => {
  const grant = await code(alice, endpointA);
  const exchanges = await Promise.all(Array.from({ length: 6 }, () => exchange(grant, endpointA)));
  expect(exchanges.map((response) => response.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
  for (const response of exchanges.filter((answer) => answer.status === 400))
    expect(((await response.json()) as { error: string }).error).toBe('invalid_grant');

  const fresh = await exchange(await code(alice, endpointA), endpointA);
  const { refresh_token: refreshToken } = (await fresh.json()) as { refresh_token: string };
  const refreshes = await Promise.all(
    Array.from({ length: 6 }, () =>
      fetch(`${api.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId }),
      }),
    ),
  );
  const statuses = refreshes.map((response) => response.status);
  expect(statuses.filter((status) => status === 200)).toHaveLength(1);
  expect(statuses.filter((status) => status === 400)).toHaveLength(5);
});

test('a finished sign-in cannot be replayed (consent form posted again)', async () => {
  const { challenge } = pkce();
  const browser = new TestBrowser();
  const posted: string[] = [];
  const original = browser.follow.bind(browser);
  browser.follow = async (url, origin, init) => {
    if (init?.form) posted.push(JSON.stringify({ url, form: init.form }));
    return original(url, origin, init);
  };
  await authorizeInBrowser(
    browser,
    authorizationUrl({
      resource: endpointA,
      scope: 'mcp:tools',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state: 'once',
    }),
    { email: alice.email, password: PASSWORD },
  );
  const last = JSON.parse(posted.at(-1)!) as { url: string; form: Record<string, string> };
  const replay = await original(last.url, api.url, { form: last.form });
  expect('redirect' in replay).toBe(false);
  expect((replay as { status: number }).status).toBe(400);
});

test("a token for tenant B's server does not work at tenant A's server", async () => {
  const tokens = await tokensFor(bob, endpointB);
  expect((await callMcp(endpointB, tokens.access_token)).status).toBe(200);
  const response = await callMcp(endpointA, tokens.access_token);
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
});

test('a token for this server without the mcp:tools scope gets 403 insufficient_scope (step-up)', async () => {
  const tokens = await tokensFor(alice, endpointA, 'openid');
  const response = await callMcp(endpointA, tokens.access_token);
  expect(response.status).toBe(403);
  expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
  expect(response.headers.get('www-authenticate')).toMatch(/scope="mcp:tools"/);
});

test('a token without an audience is refused', async () => {
  const tokens = await tokensFor(alice, undefined, 'openid');
  expect((await callMcp(endpointA, tokens.access_token)).status).toBe(401);
});

test('expired and revoked access tokens are refused', async () => {
  const expired = await tokensFor(alice, endpointA);
  // Age the stored token past its expiry, as time would.
  const db = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
  try {
    // Stored under its SHA-256 only: neither token value is anywhere in the table.
    const stored = `sha256:${createHash('sha256').update(expired.access_token).digest('base64url')}`;
    for (const secret of [expired.access_token, expired.refresh_token ?? 'none']) {
      const leaks = await db.$queryRaw<{ n: bigint }[]>`
        SELECT count(*) AS n FROM oauth_models WHERE id = ${secret} OR payload::text LIKE ${`%${secret}%`}`;
      expect(Number(leaks[0]!.n)).toBe(0);
    }
    const aged =
      await db.$executeRaw`UPDATE oauth_models SET payload = jsonb_set(payload, '{exp}', to_jsonb(extract(epoch from now())::int - 120)) WHERE kind = 'AccessToken' AND id = ${stored}`;
    expect(aged).toBe(1);
  } finally {
    await db.$disconnect();
  }
  expect((await callMcp(endpointA, expired.access_token)).status).toBe(401);

  const revoked = await tokensFor(alice, endpointA);
  expect((await callMcp(endpointA, revoked.access_token)).status).toBe(200);
  const revocation = await fetch(`${api.url}/oauth/token/revocation`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: revoked.access_token, client_id: clientId }),
  });
  expect(revocation.status).toBe(200);
  expect((await callMcp(endpointA, revoked.access_token)).status).toBe(401);
});

test('a token bound to a sign-in session stops working once that session is gone', async () => {
  const tokens = await tokensFor(alice, endpointA);
  expect((await callMcp(endpointA, tokens.access_token)).status).toBe(200);
  const db = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
  try {
    const stored = `sha256:${createHash('sha256').update(tokens.access_token).digest('base64url')}`;
    const [token] = await db.$queryRaw<{ payload: { expiresWithSession?: boolean; sessionUid?: string } }[]>`
      SELECT payload FROM oauth_models WHERE kind = 'AccessToken' AND id = ${stored}`;
    // The MCP endpoint reads the token and its session in one statement: the session must still be there.
    expect(token?.payload.expiresWithSession).toBe(true);
    const ended =
      await db.$executeRaw`DELETE FROM oauth_models WHERE kind = 'Session' AND uid = ${token!.payload.sessionUid!}`;
    expect(ended).toBe(1);
  } finally {
    await db.$disconnect();
  }
  expect(await refusedWithin(endpointA, tokens.access_token)).toBeLessThan(1_000);
});

/**
 * The api remembers a token's lookup between requests; a change made outside this process (another instance, the
 * admin CLI, plain SQL as here) reaches it as PostgreSQL's notification of the commit. Milliseconds after: how many.
 */
async function refusedWithin(endpoint: string, token: string, refusal = 401): Promise<number> {
  const started = Date.now();
  for (;;) {
    const status = (await callMcp(endpoint, token)).status;
    if (status === refusal) return Date.now() - started;
    expect(status).toBe(200);
    if (Date.now() - started > 5_000) throw new Error('the token still works 5 s after its end');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('JSON-RPC batches: refused under protocol versions that removed them (2025-06-18 on), served under older ones', async () => {
  const tokens = await tokensFor(alice, endpointA);
  const headers = {
    authorization: `Bearer ${tokens.access_token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const batch = (version: string | undefined, session?: string) =>
    fetch(endpointA, {
      method: 'POST',
      headers: {
        ...headers,
        ...(version ? { 'mcp-protocol-version': version } : {}),
        ...(session ? { 'mcp-session-id': session } : {}),
      },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'ping' },
        { jsonrpc: '2.0', id: 2, method: 'ping' },
      ]),
    });
  const refused = await batch('2025-11-25');
  expect(refused.status).toBe(400);
  expect(await refused.json()).toMatchObject({ error: { code: -32600 } });
  expect((await batch('2025-03-26')).status).toBe(200);
  // Without the header, the version the session negotiated counts (MCP assumes 2025-03-26 only when nothing says).
  const initialize = (protocolVersion: string) =>
    fetch(endpointA, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion, capabilities: {}, clientInfo: { name: 'neg', version: '1' } },
      }),
    }).then((response) => response.headers.get('mcp-session-id')!);
  const [modern, old] = await Promise.all([initialize('2025-11-25'), initialize('2025-03-26')]);
  const refusedInSession = await batch(undefined, modern);
  expect(refusedInSession.status).toBe(400);
  expect(await refusedInSession.json()).toMatchObject({ error: { code: -32600 } });
  expect((await batch(undefined, old)).status).toBe(200);
});

test("a member's token stops working the moment they leave the organisation, and works again when they rejoin", async () => {
  const tenant = new URL(endpointA).pathname.split('/')[2]!;
  const carol = await signUp(api.url, 'carol');
  const join = async () => {
    const invited = await adminCall(api.url, alice, 'POST', `/api/v1/tenants/${tenant}/invitations`, {
      email: carol.email,
      role: 'member',
    });
    const { token } = (await invited.json()) as { token: string };
    expect((await adminCall(api.url, carol, 'POST', '/api/v1/invitations/accept', { tenant, token })).status).toBe(200);
  };
  await join();
  const tokens = await tokensFor(carol, endpointA);
  // After the first request the api remembers the token; the next ones do not read it again.
  for (let i = 0; i < 3; i++) expect((await callMcp(endpointA, tokens.access_token)).status).toBe(200);
  expect((await adminCall(api.url, alice, 'DELETE', `/api/v1/tenants/${tenant}/members/${carol.userId}`)).status).toBe(
    204,
  );
  // The very next request: the change was made by this api process, which does not wait for the notification. The
  // token itself is still valid: 403 (signing in again would not help), with no challenge to do so.
  const refused = await callMcp(endpointA, tokens.access_token);
  expect(refused.status).toBe(403);
  expect(refused.headers.get('www-authenticate')).toBeNull();
  await join();
  expect((await callMcp(endpointA, tokens.access_token)).status).toBe(200);

  // The same change made elsewhere (plain SQL) applies as soon as it commits.
  const db = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
  try {
    await db.$executeRaw`DELETE FROM memberships WHERE user_id = ${carol.userId}::uuid`;
  } finally {
    await db.$disconnect();
  }
  expect(await refusedWithin(endpointA, tokens.access_token, 403)).toBeLessThan(1_000);
});

test.each([
  ['whose client_id is not its own URL', '/impostor.json'],
  ['whose URL is longer than a client id can be (2048 characters)', LONG_PATH],
])('a Client ID Metadata Document %s is invalid_client, never a server error', async (_what, path) => {
  const { challenge } = pkce();
  const response = await fetch(
    authorizationUrl({
      client_id: `${documents.origin}${path}`,
      resource: endpointA,
      scope: 'mcp:tools',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }),
    { redirect: 'manual' },
  );
  expect(response.status).toBe(400);
  expect(await response.text()).toMatch(/invalid_client/);
});

test('in production, Client ID Metadata Documents on loopback or metadata addresses are never fetched', async () => {
  const production = await startApiProcess({ NODE_ENV: 'production', NODE_EXTRA_CA_CERTS: ca.caFile });
  try {
    for (const id of [
      `${documents.origin}/client.json`,
      'https://127.0.0.1/client.json',
      'https://169.254.169.254/latest/meta-data',
    ]) {
      const { challenge } = pkce();
      const url = new URL(`${production.url}/oauth/auth`);
      for (const [key, value] of Object.entries({
        client_id: id,
        redirect_uri: REDIRECT,
        response_type: 'code',
        scope: 'mcp:tools',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      }))
        url.searchParams.set(key, value);
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/invalid_client/);
    }
  } finally {
    await production.stop();
  }
}, 30_000);
