/**
 * Server-initiated notifications on the standalone GET stream, across two api instances (same database, Redis and
 * PUBLIC_API_URL; each also reachable on its own port, allowed by MCP_ALLOWED_HOSTS): the MCP SDK client opens the
 * stream on one instance, and what happens on the other reaches it over Redis — an admin changing the server's
 * tools (`notifications/tools/list_changed`), the person finishing the connect flow a URL elicitation sent them to
 * (`notifications/elicitation/complete`), a newer stream of the session, the session's deletion.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitationCompleteNotificationSchema,
  LATEST_PROTOCOL_VERSION,
  McpError,
  ToolListChangedNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { freePort, waitFor } from '@gatehouse/testing';
import { connectThroughLink } from './connect-flow.js';
import { accessTokenFor, adminCall, registerClient, signUp, type Member } from './oauth-flow.js';
import {
  startApiProcess,
  startDemoProviderProcess,
  startWorkerProcess,
  type ApiProcess,
  type DemoProviderProcess,
  type WorkerProcess,
} from './stack.js';

const REDIRECT = 'http://127.0.0.1:9/callback';
const CLIENT_ID = 'gatehouse-notifications-e2e';
const CLIENT_SECRET = 'notifications-e2e-demo-client-secret';

/** `url` is PUBLIC_API_URL (instance A's own address); `direct` is where this instance itself listens. */
let instances: { api: ApiProcess; direct: string }[] = [];
let worker: WorkerProcess;
let provider: DemoProviderProcess;
let owner: Member;
let slug: string;
let clientId: string;

beforeAll(async () => {
  const [portA, portB] = await Promise.all([freePort(), freePort()]);
  const publicUrl = `http://127.0.0.1:${portA}`;
  provider = await startDemoProviderProcess([
    { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${publicUrl}/api/v1/connections/callback`] },
  ]);
  const env = { PUBLIC_API_URL: publicUrl, MCP_ALLOWED_HOSTS: `127.0.0.1:${portB}` };
  const [a, b, started] = await Promise.all([
    startApiProcess(env, portA),
    startApiProcess(env, portB),
    startWorkerProcess({ PUBLIC_API_URL: publicUrl }),
  ]);
  instances = [
    { api: a, direct: publicUrl },
    { api: b, direct: `http://127.0.0.1:${portB}` },
  ];
  worker = started;
  owner = await signUp(publicUrl, 'notified');
  slug = `notify-${randomUUID().slice(0, 6)}`;
  expect((await adminCall(publicUrl, owner, 'POST', '/api/v1/tenants', { slug, name: 'Notify' })).status).toBe(201);
  const app = await adminCall(publicUrl, owner, 'PUT', `/api/v1/tenants/${slug}/provider-apps/demo`, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    allowedScopes: ['notes:read', 'notes:write'],
    settings: { baseUrl: provider.url },
  });
  expect(app.status).toBe(200);
  clientId = await registerClient(publicUrl, REDIRECT);
}, 90_000);

afterAll(async () => {
  await Promise.all([...instances.map(({ api }) => api.stop()), worker?.stop(), provider?.stop()]);
});

const [A, B] = [0, 1];
const direct = (instance: number) => instances[instance]!.direct;

/** A new server of the tenant (through instance A) and the owner's access token for it. */
async function serverWith(selection: { toolkits: string[]; tools: string[] }) {
  const server = `s-${randomUUID().slice(0, 6)}`;
  const created = await adminCall(direct(A), owner, 'POST', `/api/v1/tenants/${slug}/mcp-servers`, {
    slug: server,
    title: 'Notified',
    ...selection,
  });
  expect(created.status).toBe(201);
  const endpoint = ((await created.json()) as { endpoint: string }).endpoint;
  return { server, endpoint, token: await accessTokenFor(direct(A), clientId, REDIRECT, owner, endpoint) };
}

/** The endpoint as reached on one instance's own port (same path, so the same server and token audience). */
function on(instance: number, endpoint: string): URL {
  return new URL(new URL(endpoint).pathname, direct(instance));
}

/**
 * An MCP SDK client on `instance`. The SDK opens the GET stream by itself after initialize, without waiting for
 * it; `streamOpen` resolves once the server has answered that GET with its stream.
 */
async function connect(instance: number, endpoint: string, token: string, capabilities: Record<string, unknown> = {}) {
  let opened: () => void = () => undefined;
  const streamOpen = new Promise<void>((resolve) => (opened = resolve));
  const client = new Client({ name: 'notifications-e2e', version: '1.0.0' }, { capabilities });
  const transport = new StreamableHTTPClientTransport(on(instance, endpoint), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      const type = response.headers.get('content-type') ?? '';
      if (init?.method === 'GET' && response.status === 200 && type.startsWith('text/event-stream')) opened();
      return response;
    },
  });
  await client.connect(transport);
  await streamOpen;
  return { client, transport };
}

test('an admin changing the tools on the other instance: list_changed on the stream, and the next list shows it', async () => {
  const { server, endpoint, token } = await serverWith({ toolkits: [], tools: ['demo.list_notes'] });
  const { client } = await connect(A, endpoint, token);
  try {
    const changes: string[] = [];
    client.setNotificationHandler(ToolListChangedNotificationSchema, (notification) => {
      changes.push(notification.method);
    });
    expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: true });
    // Also fills instance A's endpoint cache, which the change must not leave stale.
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['demo.list_notes']);

    const patched = await adminCall(direct(B), owner, 'PATCH', `/api/v1/tenants/${slug}/mcp-servers/${server}`, {
      tools: ['demo.list_notes', 'demo.get_note'],
    });
    expect(patched.status).toBe(200);
    await waitFor('notifications/tools/list_changed', async () => (changes.length > 0 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 20,
    });
    expect(changes).toEqual(['notifications/tools/list_changed']);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['demo.list_notes', 'demo.get_note']);

    // A new title leaves the tool list alone: no notification for it, only for the next change of tools.
    const patch = (body: unknown) =>
      adminCall(direct(B), owner, 'PATCH', `/api/v1/tenants/${slug}/mcp-servers/${server}`, body);
    expect((await patch({ title: 'Renamed' })).status).toBe(200);
    expect((await patch({ tools: ['demo.get_note'] })).status).toBe(200);
    await waitFor('the second list_changed', async () => (changes.length >= 2 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 20,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes).toHaveLength(2);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['demo.get_note']);

    // Deleting the server is a change of its tools too (and its sessions' streams end).
    const deleted = await adminCall(direct(B), owner, 'DELETE', `/api/v1/tenants/${slug}/mcp-servers/${server}`);
    expect(deleted.status).toBe(204);
    await waitFor('the deletion to be announced', async () => (changes.length === 3 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 20,
    });
  } finally {
    await client.close();
  }
}, 60_000);

test("deleting a tenant on the other instance ends its servers' open streams (their tokens are revoked)", async () => {
  const gone = `gone-${randomUUID().slice(0, 6)}`;
  expect((await adminCall(direct(A), owner, 'POST', '/api/v1/tenants', { slug: gone, name: 'Gone' })).status).toBe(201);
  const created = await adminCall(direct(A), owner, 'POST', `/api/v1/tenants/${gone}/mcp-servers`, {
    slug: 'doomed',
    title: 'Doomed',
    toolkits: [],
    tools: ['demo.list_notes'],
  });
  expect(created.status).toBe(201);
  const endpoint = ((await created.json()) as { endpoint: string }).endpoint;
  const token = await accessTokenFor(direct(A), clientId, REDIRECT, owner, endpoint);
  // The stream the SDK opens after initialize, and the moment the server ends it.
  let opened!: () => void;
  let ended!: () => void;
  const streamOpen = new Promise<void>((resolve) => (opened = resolve));
  const streamEnded = new Promise<void>((resolve) => (ended = resolve));
  let streams = 0;
  const client = new Client({ name: 'notifications-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(on(A, endpoint), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      const type = response.headers.get('content-type') ?? '';
      if (init?.method !== 'GET' || response.status !== 200 || !type.startsWith('text/event-stream') || streams++)
        return response;
      opened();
      const body = response.body!.pipeThrough(new TransformStream({ flush: () => ended() }));
      return new Response(body, { status: response.status, headers: response.headers });
    },
  });
  await client.connect(transport);
  try {
    await streamOpen;
    const deleted = await adminCall(direct(B), owner, 'DELETE', `/api/v1/tenants/${gone}`, { confirm: gone });
    expect(deleted.status).toBe(204);
    await Promise.race([
      streamEnded,
      new Promise((_, reject) => setTimeout(() => reject(new Error('the stream stayed open')), 5_000)),
    ]);
  } finally {
    await client.close();
  }
}, 60_000);

test("a member's role changing on the other instance: list_changed on their stream only, and their next list follows", async () => {
  const server = `s-${randomUUID().slice(0, 6)}`;
  const created = await adminCall(direct(A), owner, 'POST', `/api/v1/tenants/${slug}/mcp-servers`, {
    slug: server,
    title: 'Roles',
    toolkits: [],
    tools: ['demo.list_notes', 'demo.delete_note'],
    adminOnlyTools: ['demo.delete_note'],
  });
  expect(created.status).toBe(201);
  const endpoint = ((await created.json()) as { endpoint: string }).endpoint;
  const member = await signUp(direct(A), 'promoted');
  const invited = await adminCall(direct(A), owner, 'POST', `/api/v1/tenants/${slug}/invitations`, {
    email: member.email,
    role: 'member',
  });
  const { token: invitation } = (await invited.json()) as { token: string };
  expect(
    (await adminCall(direct(A), member, 'POST', '/api/v1/invitations/accept', { tenant: slug, token: invitation }))
      .status,
  ).toBe(200);
  const promoted = await connect(A, endpoint, await accessTokenFor(direct(A), clientId, REDIRECT, member, endpoint));
  const bystander = await connect(A, endpoint, await accessTokenFor(direct(A), clientId, REDIRECT, owner, endpoint));
  const heard = { promoted: 0, bystander: 0 };
  promoted.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void heard.promoted++);
  bystander.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void heard.bystander++);
  const names = async () => (await promoted.client.listTools()).tools.map((tool) => tool.name);
  const setRole = async (role: string) =>
    expect(
      (await adminCall(direct(B), owner, 'PATCH', `/api/v1/tenants/${slug}/members/${member.userId}`, { role })).status,
    ).toBe(204);
  try {
    expect(await names()).toEqual(['demo.list_notes']);
    await setRole('admin');
    await waitFor('list_changed for the promoted member', async () => (heard.promoted === 1 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 20,
    });
    expect(await names()).toEqual(['demo.list_notes', 'demo.delete_note']);
    // Admin to owner changes nothing they see: no notification.
    await setRole('owner');
    await setRole('member');
    await waitFor('list_changed for the demoted member', async () => (heard.promoted === 2 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 20,
    });
    expect(await names()).toEqual(['demo.list_notes']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Everyone else's view of the server did not change: their sessions heard nothing.
    expect(heard).toEqual({ promoted: 2, bystander: 0 });
  } finally {
    await Promise.all([promoted.client.close(), bystander.client.close()]);
  }
}, 60_000);

test('URL elicitation: connecting through the link sends elicitation/complete to the session, and the retry works', async () => {
  const { endpoint, token } = await serverWith({ toolkits: ['demo'], tools: [] });
  // The client's session and stream are on instance B; the connect page and callback are served by instance A.
  const { client, transport } = await connect(B, endpoint, token, { elicitation: { url: {} } });
  try {
    const completed: string[] = [];
    client.setNotificationHandler(ElicitationCompleteNotificationSchema, (notification) => {
      completed.push(notification.params.elicitationId);
    });
    const refused = await client.callTool({ name: 'demo.list_notes', arguments: {} }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(McpError);
    expect((refused as McpError).code).toBe(-32042);
    const [elicitation] = (
      (refused as McpError).data as { elicitations: { mode: string; url: string; elicitationId: string }[] }
    ).elicitations;
    expect(elicitation).toMatchObject({ mode: 'url' });
    expect(completed).toEqual([]);

    // The person follows the link in a browser signed in to the console (through the console page's api calls),
    // and approves at the provider.
    await connectThroughLink({ api: direct(A), provider: provider.url }, elicitation!.url, owner, 'owner');

    await waitFor('notifications/elicitation/complete', async () => (completed.length > 0 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 20,
    });
    expect(completed).toEqual([elicitation!.elicitationId]);
    const listed = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    expect(listed.isError).toBeFalsy();
    expect(listed.structuredContent).toEqual({ notes: [] });
    await transport.terminateSession();
  } finally {
    await client.close();
  }
}, 60_000);

test('a client without URL elicitation gets the link as text, and no elicitation/complete it was never promised', async () => {
  const { endpoint, token } = await serverWith({ toolkits: ['demo'], tools: [] });
  // Not connected again: the test above connected the owner.
  expect((await adminCall(direct(A), owner, 'DELETE', `/api/v1/tenants/${slug}/connections/demo`)).status).toBe(200);
  const { client, transport } = await connect(B, endpoint, token, {});
  try {
    const heard: string[] = [];
    client.setNotificationHandler(ElicitationCompleteNotificationSchema, (notification) => {
      heard.push(notification.params.elicitationId);
    });
    const refused = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    expect(refused.isError).toBe(true);
    const text = (refused.content as { type: string; text: string }[])[0]!.text;
    const link = /(https?:\/\/\S+\/connect\/\S+?)(?= to continue|\s|$)/.exec(text)![1]!;
    await connectThroughLink({ api: direct(A), provider: provider.url }, link, owner, 'owner');
    const listed = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    expect(listed.isError).toBeFalsy();
    // Had one been sent, it would have arrived by now (the test above hears its own within milliseconds).
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(heard).toEqual([]);
    await transport.terminateSession();
  } finally {
    await client.close();
  }
}, 60_000);

/** The session's GET stream on `instance` (resuming after `lastEventId` when given), once the server answers it. */
async function getStream(instance: number, endpoint: string, token: string, sessionId: string, lastEventId?: string) {
  const response = await fetch(on(instance, endpoint), {
    headers: {
      authorization: `Bearer ${token}`,
      accept: 'text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    },
  });
  expect(response.status).toBe(200);
  return response;
}

/** A raw session: `initialize` POSTed to `instance`; its session id. */
/** A raw `initialize` POST, accepting `accept`. */
function postInitialize(instance: number, endpoint: string, token: string, accept: string): Promise<Response> {
  return fetch(on(instance, endpoint), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
}

async function initializeRaw(instance: number, endpoint: string, token: string): Promise<string> {
  const initialize = await postInitialize(instance, endpoint, token, 'application/json, text/event-stream');
  expect(initialize.status).toBe(200);
  await initialize.text();
  return initialize.headers.get('mcp-session-id')!;
}

/** A raw GET stream: everything it carries until the server ends it. */
async function rawStream(instance: number, endpoint: string, token: string, sessionId: string) {
  const response = await getStream(instance, endpoint, token, sessionId);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  return { ended: response.text() };
}

test('one stream per session across instances; refusals without a session or event-stream Accept; DELETE ends it', async () => {
  const { endpoint, token } = await serverWith({ toolkits: [], tools: ['demo.list_notes'] });
  const sessionId = await initializeRaw(A, endpoint, token);
  // An initialize the SDK refuses (its Accept lacks text/event-stream) gets no session.
  const refusedInitialize = await postInitialize(A, endpoint, token, 'application/json');
  expect(refusedInitialize.status).toBe(406);
  expect(refusedInitialize.headers.get('mcp-session-id')).toBeNull();

  const sessionless = await fetch(on(B, endpoint), {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
  });
  expect(sessionless.status).toBe(405);
  expect(sessionless.headers.get('allow')).toBe('GET, POST, DELETE');
  const json = await fetch(on(B, endpoint), {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'mcp-session-id': sessionId },
  });
  expect(json.status).toBe(406);
  const stranger = await fetch(on(B, endpoint), {
    headers: { accept: 'text/event-stream', 'mcp-session-id': sessionId },
  });
  expect(stranger.status).toBe(401);

  // A newer stream on the other instance replaces the first: the server ends it.
  const first = await rawStream(A, endpoint, token, sessionId);
  const second = await rawStream(B, endpoint, token, sessionId);
  expect(await first.ended).toBe('');

  // A DELETE naming a protocol version the server does not speak is refused (400), the session kept.
  const unversioned = await fetch(on(A, endpoint), {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, 'mcp-protocol-version': '1999-01-01' },
  });
  expect(unversioned.status).toBe(400);

  // Deleting the session on instance A ends its stream on instance B.
  const deleted = await fetch(on(A, endpoint), {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId },
  });
  expect(deleted.status).toBe(204);
  expect(await second.ended).toBe('');
  const gone = await fetch(on(B, endpoint), {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', 'mcp-session-id': sessionId },
  });
  expect(gone.status).toBe(404);
}, 60_000);

/** A raw GET stream read event by event: `next()` resolves with the next SSE event (id and data). */
async function openEvents(instance: number, endpoint: string, token: string, sessionId: string, lastEventId?: string) {
  const response = await getStream(instance, endpoint, token, sessionId, lastEventId);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  let pending: ReturnType<typeof reader.read> | undefined;
  return {
    async next(timeoutMs = 5_000): Promise<{ id: string | undefined; data: { method: string } } | undefined> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const blocks = buffered.split('\n\n');
        const index = blocks.findIndex((block, i) => i < blocks.length - 1 && block.includes('data: '));
        if (index >= 0) {
          buffered = blocks.slice(index + 1).join('\n\n');
          const block = blocks[index]!;
          return {
            id: /^id: (.+)$/m.exec(block)?.[1],
            data: JSON.parse(/^data: (.+)$/m.exec(block)![1]!) as { method: string },
          };
        }
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        // A read that lost the race stays pending: the next call waits on it, so no chunk is dropped.
        pending ??= reader.read();
        const chunk = await Promise.race([
          pending,
          new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), left)),
        ]);
        if (chunk === 'timeout') return undefined;
        pending = undefined;
        if (chunk.done) return undefined;
        buffered += chunk.value;
      }
    },
    close: () => reader.cancel(),
  };
}

test('a stream that reconnects with Last-Event-ID gets the notifications it missed, on either instance', async () => {
  const { server, endpoint, token } = await serverWith({ toolkits: [], tools: ['demo.list_notes'] });
  const sessionId = await initializeRaw(A, endpoint, token);
  const patch = (tools: string[]) =>
    adminCall(direct(A), owner, 'PATCH', `/api/v1/tenants/${slug}/mcp-servers/${server}`, { tools });

  const first = await openEvents(B, endpoint, token, sessionId);
  expect((await patch(['demo.list_notes', 'demo.get_note'])).status).toBe(200);
  const seen = await first.next();
  expect(seen?.data.method).toBe('notifications/tools/list_changed');
  // An event id is the stream's position in the session's log and in the server's: `<ms>-<seq>-s_<ms>-<seq>-v`.
  expect(seen?.id).toMatch(/^\d+-\d+-s_\d+-\d+-v$/);
  await first.close();

  // While no stream is open, the tools change twice.
  expect((await patch(['demo.get_note'])).status).toBe(200);
  expect((await patch(['demo.list_notes'])).status).toBe(200);

  // Reconnecting on the other instance with the last id seen: both missed changes, in order, then the live stream.
  const resumed = await openEvents(A, endpoint, token, sessionId, seen!.id);
  const missed = [await resumed.next(), await resumed.next()];
  expect(missed.map((event) => event?.data.method)).toEqual([
    'notifications/tools/list_changed',
    'notifications/tools/list_changed',
  ]);
  // Each missed one is later in the server's log than the one before.
  const order = (id: string) => id.split('_')[1]!.split('-').slice(0, 2).map(Number) as [number, number];
  const later = (a: string, b: string) =>
    order(a)[0] > order(b)[0] || (order(a)[0] === order(b)[0] && order(a)[1] > order(b)[1]);
  expect(later(missed[0]!.id!, seen!.id!)).toBe(true);
  expect(later(missed[1]!.id!, missed[0]!.id!)).toBe(true);
  expect((await patch(['demo.list_notes', 'demo.get_note'])).status).toBe(200);
  const live = await resumed.next();
  expect(live?.data.method).toBe('notifications/tools/list_changed');
  // Nothing is sent twice.
  expect(await resumed.next(500)).toBeUndefined();
  await resumed.close();

  // Without Last-Event-ID, or with one this server never issued, a stream starts with nothing replayed.
  for (const lastEventId of [undefined, 'not-an-event-id']) {
    const fresh = await openEvents(B, endpoint, token, sessionId, lastEventId);
    expect(await fresh.next(500)).toBeUndefined();
    await fresh.close();
  }
}, 60_000);

test('the MCP SDK client, its stream ended by the server, reconnects with Last-Event-ID and misses nothing', async () => {
  const { server, endpoint, token } = await serverWith({ toolkits: [], tools: ['demo.list_notes'] });
  const { client, transport } = await connect(A, endpoint, token);
  try {
    const changes: string[] = [];
    client.setNotificationHandler(ToolListChangedNotificationSchema, (notification) => {
      changes.push(notification.method);
    });
    const patch = (tools: string[]) =>
      adminCall(direct(B), owner, 'PATCH', `/api/v1/tenants/${slug}/mcp-servers/${server}`, { tools });
    expect((await patch(['demo.list_notes', 'demo.get_note'])).status).toBe(200);
    await waitFor('the first list_changed', async () => (changes.length === 1 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 20,
    });

    // A newer stream of the session on instance B ends the client's (the SDK reconnects after about a second);
    // the tools change while the client has no stream.
    const other = await openEvents(B, endpoint, token, transport.sessionId!);
    expect((await patch(['demo.get_note'])).status).toBe(200);
    expect(changes).toHaveLength(1);
    await waitFor(
      'the missed list_changed after the reconnect',
      async () => (changes.length === 2 ? true : undefined),
      {
        timeoutMs: 10_000,
        intervalMs: 20,
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changes).toHaveLength(2);
    await other.close();
  } finally {
    await client.close();
  }
}, 60_000);

test('an instance that stops ends its GET streams first, and exits cleanly without waiting for them', async () => {
  const { endpoint, token } = await serverWith({ toolkits: [], tools: ['demo.list_notes'] });
  const { client } = await connect(B, endpoint, token);
  try {
    const started = Date.now();
    // SHUTDOWN_TIMEOUT_MS is 5 s: an open stream holding the HTTP server would make it exit 1 after that.
    expect(await instances[B]!.api.process.stop()).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(4_000);
  } finally {
    await client.close();
  }
}, 60_000);
