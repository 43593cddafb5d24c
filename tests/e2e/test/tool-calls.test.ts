/**
 * Tools that act as the user, end to end: an MCP SDK client with an OAuth token calls demo tools on a hosted
 * endpoint; the api queues the call, the worker (a separate process) runs it with the person's own demo-provider
 * token, and the answer comes back. Without a connection the client is sent to Gatehouse's connect page — as a tool
 * error, or as URL-mode elicitation (-32042) when it declared that — which only the MCP token's person may use.
 */
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import {
  auditPage,
  toolCallJob,
  toolCallResult,
  TOOLS_QUEUE_OPTIONS,
  toolCancelledKey,
  type ToolCallPayload,
} from '@gatehouse/contracts';
import { Queue, Worker } from 'bullmq';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { browserOf, connectThroughLink, readConnectRequest, startFromConnectLink } from './connect-flow.js';
import { accessTokenFor, adminCall, registerClient, signUp, type Member } from './oauth-flow.js';
import { createDatabase, DataKeyRepository, SecretRepository } from '@gatehouse/db';
import {
  RedisServer,
  freePort,
  startProcess,
  testAppDatabaseUrl,
  testDatabaseUrl,
  testMaintenanceDatabaseUrl,
  testPrefix,
  testVaultKeys,
  waitFor,
} from '@gatehouse/testing';
import { LocalKeyring, Vault } from '@gatehouse/vault';
import { Redis } from 'ioredis';
import {
  API_ONLY_WEB_URL,
  baseEnv,
  repoRoot,
  startApiProcess,
  startDemoProviderProcess,
  startWorkerProcess,
  type ApiProcess,
  type DemoProviderProcess,
  type WorkerProcess,
} from './stack.js';
import { SpanKind, startOtlpCollector, type CollectedSpan, type OtlpCollector } from './otlp-collector.js';

const REDIRECT = 'http://127.0.0.1:9/callback';
const CLIENT_ID = 'gatehouse-tools-e2e';
const CLIENT_SECRET = 'tools-e2e-demo-client-secret-0123';

let api: ApiProcess;
let worker: WorkerProcess;
let provider: DemoProviderProcess;
let owner: Member;
let slug: string;
let endpoint: string;
let collector: OtlpCollector;
let redisServer: RedisServer;

/**
 * Every worker of the file notices a dead peer within about a second (all workers of a deployment must agree: the
 * stalled-job check of one blocks the others' for its own interval).
 */
const workerEnv = (apiUrl: string) => ({
  REDIS_URL: redisServer.url,
  PUBLIC_API_URL: apiUrl,
  TOOL_CALL_LOCK_MS: '1000',
  METRICS_TOKEN,
  OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
});
const METRICS_TOKEN = 'e2e-metrics-token-0123456789';

/** Everything this file's processes and clients produced, for the secrets canary at the end. */
const workers: WorkerProcess[] = [];
const memberTokens: string[] = [];
const toolResults: unknown[] = [];

async function newWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const started = await startWorkerProcess(env);
  workers.push(started);
  return started;
}

beforeAll(async () => {
  collector = await startOtlpCollector();
  // api and workers use a Redis of this file's own, which the outage test restarts for real.
  redisServer = await RedisServer.start();
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  provider = await startDemoProviderProcess([
    { client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [`${apiUrl}/api/v1/connections/callback`] },
  ]);
  // Both or neither: one that started is stopped when the other could not (afterAll would not know it).
  const [startedApi, startedWorker] = await Promise.allSettled([
    startApiProcess(
      {
        PROVIDER_CIRCUIT_FAILURES: '3',
        PROVIDER_CIRCUIT_OPEN_SECONDS: '2',
        METRICS_TOKEN,
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
        REDIS_URL: redisServer.url,
      },
      apiPort,
    ),
    newWorker(workerEnv(apiUrl)),
  ]);
  if (startedApi.status === 'rejected' || startedWorker.status === 'rejected') {
    await Promise.all([
      startedApi.status === 'fulfilled' ? startedApi.value.stop() : undefined,
      startedWorker.status === 'fulfilled' ? startedWorker.value.stop() : undefined,
    ]);
    throw startedApi.status === 'rejected' ? startedApi.reason : (startedWorker as PromiseRejectedResult).reason;
  }
  [api, worker] = [startedApi.value, startedWorker.value];
  owner = await signUp(api.url, 'tools-owner');
  slug = `tools-${randomUUID().slice(0, 6)}`;
  expect((await adminCall(api.url, owner, 'POST', '/api/v1/tenants', { slug, name: 'Tools' })).status).toBe(201);
  const server = await adminCall(api.url, owner, 'POST', `/api/v1/tenants/${slug}/mcp-servers`, {
    slug: 'notes',
    title: 'Notes',
    toolkits: ['demo'],
    tools: [],
  });
  endpoint = ((await server.json()) as { endpoint: string }).endpoint;
  const app = await adminCall(api.url, owner, 'PUT', `/api/v1/tenants/${slug}/provider-apps/demo`, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    allowedScopes: ['notes:read', 'notes:write'],
    settings: { baseUrl: provider.url },
  });
  expect(app.status).toBe(200);
}, 90_000);

afterAll(async () => {
  await Promise.all([api?.stop(), worker?.stop(), provider?.stop()]);
  await collector?.close();
  await redisServer?.stop();
});

/** A member of the tenant (invited by the owner) with an MCP access token for the endpoint. */
async function member(label: string): Promise<Member & { token: string }> {
  const person = await signUp(api.url, label);
  const invited = await adminCall(api.url, owner, 'POST', `/api/v1/tenants/${slug}/invitations`, {
    email: person.email,
    role: 'member',
  });
  const { token } = (await invited.json()) as { token: string };
  expect((await adminCall(api.url, person, 'POST', '/api/v1/invitations/accept', { tenant: slug, token })).status).toBe(
    200,
  );
  const clientId = await registerClient(api.url, REDIRECT);
  const accessToken = await accessTokenFor(api.url, clientId, REDIRECT, person, endpoint);
  memberTokens.push(accessToken);
  return { ...person, token: accessToken };
}

async function mcpClient(
  token: string,
  capabilities: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = new Client({ name: 'tools-e2e', version: '1.0.0' }, { capabilities });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(endpoint), {
      requestInit: { headers: { ...headers, authorization: `Bearer ${token}` } },
    }),
  );
  // Every answer is kept for the secrets canary.
  const callTool = client.callTool.bind(client);
  client.callTool = async (...args: Parameters<typeof callTool>) => {
    try {
      const result = await callTool(...args);
      toolResults.push(result);
      return result;
    } catch (error) {
      toolResults.push(
        error instanceof McpError ? { code: error.code, message: error.message, data: error.data } : String(error),
      );
      throw error;
    }
  };
  return client;
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

/** Connects `who` through the link a refused call names (a tool error, when not connected); the callback URL. */
function connectFromRefusal(refused: CallToolResult, who: Member, username: string): Promise<string> {
  return connectThrough(/(http\S+elicitation=[\w-]+)/.exec(textOf(refused))![1]!, who, username);
}

/** A new member with an MCP client, connected to the demo provider through the link of a first, refused call. */
async function connectedMember(label: string): Promise<{ person: Member & { token: string }; client: Client }> {
  const person = await member(label);
  const client = await mcpClient(person.token);
  try {
    const refused = (await client.callTool({ name: 'demo.create_note', arguments: { title: 'x' } })) as CallToolResult;
    await connectFromRefusal(refused, person, label);
    return { person, client };
  } catch (error) {
    await client.close();
    throw error;
  }
}

/** Follows a console connect link as `who` (see `connectThroughLink`); returns the callback URL. */
async function connectThrough(link: string, who: Member, username: string): Promise<string> {
  return (await connectThroughLink({ api: api.url, provider: provider.url }, link, who, username)).callback;
}

test('lists the demo tools with schemas and annotations', async () => {
  const alice = await member('alice');
  const client = await mcpClient(alice.token);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'demo.list_notes',
      'demo.get_note',
      'demo.export_notes',
      'demo.create_note',
      'demo.delete_note',
    ]);
    const create = tools.find((tool) => tool.name === 'demo.create_note')!;
    expect(create.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false, openWorldHint: true });
    expect(create.inputSchema.required).toEqual(['title']);
    expect(create.outputSchema?.properties).toHaveProperty('note');
  } finally {
    await client.close();
  }
});

test("tools/list shows only the tools the person may use: a server's admin-only tools are hidden from members", async () => {
  const person = await member('tools-admin-only');
  const ownerToken = await accessTokenFor(api.url, await registerClient(api.url, REDIRECT), REDIRECT, owner, endpoint);
  memberTokens.push(ownerToken);
  const changed = await adminCall(api.url, owner, 'PATCH', `/api/v1/tenants/${slug}/mcp-servers/notes`, {
    adminOnlyTools: ['demo.delete_note'],
  });
  expect(changed.status).toBe(200);
  expect(await changed.json()).toMatchObject({ adminOnlyTools: ['demo.delete_note'] });
  // An unknown tool name is refused, not stored.
  const unknown = await adminCall(api.url, owner, 'PATCH', `/api/v1/tenants/${slug}/mcp-servers/notes`, {
    adminOnlyTools: ['demo.no_such_tool'],
  });
  expect(unknown.status).toBe(400);
  const [asMember, asOwner] = await Promise.all([mcpClient(person.token), mcpClient(ownerToken)]);
  try {
    // Endpoint settings reach every api instance within its short cache.
    await waitFor('the change to reach the endpoint', async () =>
      (await asMember.listTools()).tools.some((tool) => tool.name === 'demo.delete_note') ? undefined : true,
    );
    expect((await asOwner.listTools()).tools.map((tool) => tool.name)).toContain('demo.delete_note');
    expect((await asMember.listTools()).tools.map((tool) => tool.name)).toContain('demo.list_notes');
    const refused = await asMember
      .callTool({ name: 'demo.delete_note', arguments: { id: 'n1' } })
      .then((result) => textOf(result as CallToolResult))
      .catch((error: unknown) => String(error));
    expect(refused).toMatch(/-32602.*Unknown tool: demo.delete_note/);
  } finally {
    await Promise.all([asMember.close(), asOwner.close()]);
    const restored = await adminCall(api.url, owner, 'PATCH', `/api/v1/tenants/${slug}/mcp-servers/notes`, {
      adminOnlyTools: [],
    });
    expect(restored.status).toBe(200);
  }
});

test('the catalog: GET /api/v1/toolkits lists every tool with version, provider, scopes and schemas; synced at boot', async () => {
  expect((await fetch(`${api.url}/api/v1/toolkits`)).status).toBe(401);
  const response = await adminCall(api.url, owner, 'GET', '/api/v1/toolkits');
  const { toolkits } = (await response.json()) as {
    toolkits: { name: string; tools: { name: string; version: string; provider: string | null; scopes: string[] }[] }[];
  };
  expect(toolkits.map((toolkit) => toolkit.name)).toEqual([
    'conformance',
    'demo',
    'github',
    'google_calendar',
    'gmail',
    'slack',
  ]);
  const send = toolkits.find((toolkit) => toolkit.name === 'gmail')!.tools.find((tool) => tool.name === 'gmail.send');
  expect(send).toMatchObject({
    version: '1',
    provider: 'google',
    scopes: ['https://www.googleapis.com/auth/gmail.send'],
  });
  const ownerDb = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
  try {
    const synced = await ownerDb.toolVersion.findMany({ select: { name: true, version: true } });
    const tools = toolkits.flatMap((toolkit) => toolkit.tools.map((tool) => `${tool.name}@${tool.version}`));
    expect(synced.map((row) => `${row.name}@${row.version}`).sort()).toEqual([...tools].sort());
  } finally {
    await ownerDb.$disconnect();
  }
});

test('without URL elicitation: a tool error with the connect link; after connecting, calls run as the person', async () => {
  const alice = await member('alice');
  const client = await mcpClient(alice.token);
  try {
    const first = (await client.callTool({
      name: 'demo.create_note',
      arguments: { title: 'From an agent', body: 'hello' },
    })) as CallToolResult;
    expect(first.isError).toBe(true);
    expect(textOf(first)).toContain('Connect your Gatehouse Demo account');
    const link = /(http\S+elicitation=[\w-]+)/.exec(textOf(first))?.[1];
    expect(link).toBeDefined();
    // The console's connect page (which explains who is asking), not the api's.
    expect(link!.startsWith(`${API_ONLY_WEB_URL}/connect/${slug}/demo?scope=notes%3Awrite&elicitation=`)).toBe(true);

    // Another member of the tenant may neither read alice's link nor start a connection with it; both are audited.
    const bob = await member('bob');
    const peeked = await readConnectRequest(api.url, link!, bob);
    expect(peeked.status).toBe(403);
    expect(await peeked.json()).toMatchObject({ code: 'elicitation_refused' });
    const stolen = await startFromConnectLink(api.url, link!, bob, ['notes:write']);
    expect(stolen.status).toBe(403);
    expect(stolen.headers.get('content-type')).toContain('application/problem+json');
    expect(await stolen.json()).toMatchObject({
      code: 'elicitation_refused',
      detail: expect.stringContaining('another person'),
    });
    // A link whose elicitation is unknown (or expired) says so plainly.
    const expired = await readConnectRequest(
      api.url,
      link!.replace(/elicitation=[\w-]+/, `elicitation=${'x'.repeat(22)}`),
      alice,
    );
    expect(expired.status).toBe(410);
    expect(await expired.json()).toMatchObject({
      code: 'elicitation_expired',
      detail: expect.stringContaining('expired'),
    });
    // The api's own connect page (for people who open an api link) makes the same check.
    const onApi = new URL(link!);
    const apiPage = await browserOf(bob).request(`${api.url}${onApi.pathname}${onApi.search}`);
    expect(apiPage.status).toBe(403);
    expect(await apiPage.text()).toContain('for someone else');
    // Someone of no organisation here gets "not found", like for any organisation of others — and is audited here.
    const mallory = await signUp(api.url, 'mallory');
    expect((await readConnectRequest(api.url, link!, mallory)).status).toBe(404);
    expect((await browserOf(mallory).request(`${api.url}${onApi.pathname}${onApi.search}`)).status).toBe(404);
    const refusals = auditPage.parse(
      await (
        await adminCall(api.url, owner, 'GET', `/api/v1/tenants/${slug}/audit?action=connection.elicitation_refused`)
      ).json(),
    );
    expect(refusals.events.filter((event) => event.actorId === bob.userId)).toHaveLength(3);
    expect(refusals.events.filter((event) => event.actorId === mallory.userId)).toHaveLength(2);
    for (const event of refusals.events)
      expect(event).toMatchObject({ outcome: 'denied', metadata: { elicitationFor: alice.userId } });

    await connectThrough(link!, alice, 'alice');
    // The link has done its work: used up.
    expect((await readConnectRequest(api.url, link!, alice)).status).toBe(410);
    const statsBefore = await provider.stats();
    const created = (await client.callTool({
      name: 'demo.create_note',
      arguments: { title: 'From an agent', body: 'hello' },
    })) as CallToolResult;
    if (created.isError) throw new Error(textOf(created));
    expect(created.structuredContent).toMatchObject({ note: { title: 'From an agent', body: 'hello' } });
    const listed = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    expect((listed.structuredContent as { notes: { title: string }[] }).notes.map((note) => note.title)).toEqual([
      'From an agent',
    ]);
    const statsAfter = await provider.stats();
    expect((statsAfter.writes ?? 0) - (statsBefore.writes ?? 0)).toBe(1);
    // The provider saw alice's own token, never the MCP token.
    expect(provider.process.output()).not.toContain(alice.token);
    expect(worker.process.output()).not.toContain(alice.token);
  } finally {
    await client.close();
  }
});

test('with URL elicitation: -32042 naming the connect page; after connecting, the retried call succeeds', async () => {
  const carol = await member('carol');
  const client = await mcpClient(carol.token, { elicitation: { url: {} } });
  try {
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
    expect(elicitation!.url).toContain(`elicitation=${elicitation!.elicitationId}`);
    const { request } = await connectThroughLink(
      { api: api.url, provider: provider.url },
      elicitation!.url,
      carol,
      'carol',
    );
    // What the console's page shows: the MCP client by its registered name, the provider, the scopes.
    expect(request).toMatchObject({
      provider: { id: 'demo', name: 'Gatehouse Demo' },
      scopes: ['notes:read'],
      connection: null,
    });
    expect(request.client).toMatchObject({ name: 'e2e' });
    const listed = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    if (listed.isError) throw new Error(textOf(listed));
    expect(listed.structuredContent).toEqual({ notes: [] });
  } finally {
    await client.close();
  }
});

test('every call is audited with tool, version, outcome and an argument digest (never the arguments)', async () => {
  const response = await adminCall(api.url, owner, 'GET', `/api/v1/tenants/${slug}/audit?action=tool.call&limit=100`);
  const { events } = (await response.json()) as { events: { outcome: string; metadata: Record<string, unknown> }[] };
  const results = events.map((event) => event.metadata.result);
  expect(results).toEqual(expect.arrayContaining(['needs_connection', 'succeeded']));
  for (const event of events) {
    expect(event.metadata).toMatchObject({
      version: '1',
      provider: 'demo',
      argumentsDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(JSON.stringify(event.metadata)).not.toContain('From an agent');
  }
  // Keyed: never the plain SHA-256 of the arguments (which a reader of the records could test guesses against), the
  // same for the same arguments, and what `gatehouse-admin audit digest` computes for them.
  const listed = events.filter((event) => event.metadata.tool === 'demo.list_notes');
  expect(listed.length).toBeGreaterThan(0);
  const plainOfEmpty = createHash('sha256').update('{}').digest('hex');
  expect(events.map((event) => event.metadata.argumentsDigest)).not.toContain(plainOfEmpty);
  const child = startProcess(
    'gatehouse-admin',
    process.execPath,
    [join(repoRoot, 'apps/worker/dist/cli.js'), 'audit', 'digest', slug, 'demo.list_notes', '{}'],
    {
      env: baseEnv({
        DATABASE_URL: testAppDatabaseUrl(),
        MAINTENANCE_DATABASE_URL: testMaintenanceDatabaseUrl(),
        VAULT_KEYS: testVaultKeys(),
      }),
    },
  );
  expect((await child.exited).code).toBe(0);
  const printed = JSON.parse(child.output().trim().split('\n').at(-1)!) as { argumentsDigest: string };
  const withoutArguments = listed.filter((event) => event.metadata.argumentsDigest === printed.argumentsDigest);
  expect(withoutArguments.length).toBeGreaterThan(0);
});

/** The tools queue as the api and workers see it, on a connection of the test's own (close both when done). */
function toolsQueue(): { connection: Redis; queue: Queue<ToolCallPayload>; close: () => Promise<void> } {
  const connection = new Redis(redisServer.url, { maxRetriesPerRequest: null });
  const queue = new Queue<ToolCallPayload>(toolCallJob.queue, {
    connection,
    prefix: testPrefix(),
    ...TOOLS_QUEUE_OPTIONS,
  });
  // BullMQ never closes a connection it was given.
  return { connection, queue, close: async () => (await queue.close(), void (await connection.quit())) };
}

/** Waits for job `id` to finish, answering error `code`, with nothing written at the provider since `writesBefore`. */
async function answeredWithoutWriting(
  queue: Queue<ToolCallPayload>,
  id: string,
  code: string,
  writesBefore: number,
): Promise<void> {
  await waitUntil(async () => (await queue.getJobState(id)) === 'completed');
  expect(toolCallResult.parse((await queue.getJob(id))!.returnvalue)).toMatchObject({ kind: 'error', code });
  expect(((await provider.stats()).writes ?? 0) - writesBefore).toBe(0);
}

/** One tools/call as a client sends it again when its connection broke before the answer came: the very same request. */
async function sendToolCall(
  person: { token: string },
  sessionId: string | undefined,
  id: string,
  params: { name: string; arguments: Record<string, unknown> },
): Promise<{ id: string; result: CallToolResult }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${person.token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(sessionId === undefined ? {} : { 'mcp-session-id': sessionId }),
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params }),
  });
  expect(response.status).toBe(200);
  const data = (await response.text()).split('\n').find((line) => line.startsWith('data: '));
  return JSON.parse(data!.slice(6)) as { id: string; result: CallToolResult };
}

test("a tools/call sent again (same session, id, tool and arguments) gets the first run's answer, not a second run", async () => {
  const { person: erin, client } = await connectedMember('erin');
  try {
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
    const send = () =>
      sendToolCall(erin, sessionId, 'resent-1', { name: 'demo.create_note', arguments: { title: 'written once' } });
    const writesBefore = (await provider.stats()).writes ?? 0;
    const first = await send();
    const again = await send();
    expect(first.result.isError).toBeFalsy();
    expect(again).toEqual(first);
    expect(((await provider.stats()).writes ?? 0) - writesBefore).toBe(1);

    // Without a session, request ids need not be unique: the same id is a new call each time.
    const sessionless = () =>
      sendToolCall(erin, undefined, 'resent-1', { name: 'demo.create_note', arguments: { title: 'written twice' } });
    expect((await sessionless()).result.isError).toBeFalsy();
    expect((await sessionless()).result.isError).toBeFalsy();
    expect(((await provider.stats()).writes ?? 0) - writesBefore).toBe(3);
  } finally {
    await client.close();
  }
});

test('a client that hangs up mid-call has not cancelled it (MCP 2025-11-25): the call ends, is recorded, and the same request sent again gets its answer', async () => {
  const { person: gus, client } = await connectedMember('gus');
  await provider.admin('POST', '/admin/api-latency', { ms: 1_500 });
  try {
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
    const params = { name: 'demo.create_note', arguments: { title: 'written after a hang-up' } };
    const before = await provider.stats();
    const writesBefore = before.writes ?? 0;
    // A client that goes away: the request sent on a socket of its own, destroyed while the call runs.
    const body = JSON.stringify({ jsonrpc: '2.0', id: 'hung-up-1', method: 'tools/call', params });
    const socketGone = new Promise<void>((resolve) => {
      const request = httpRequest(endpoint, {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${gus.token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          accept: 'application/json, text/event-stream',
          'mcp-session-id': sessionId,
          'mcp-protocol-version': '2025-11-25',
        },
      });
      request.on('error', () => resolve());
      request.on('close', () => resolve());
      request.end(body);
      // The call is running at the provider (its latency holds it there) when the client goes away.
      void waitUntil(async () => ((await provider.stats()).apiRequests ?? 0) > (before.apiRequests ?? 0)).then(() =>
        request.destroy(),
      );
    });
    await socketGone;
    // It runs to its end all the same, and its record says it succeeded.
    await waitUntil(async () => ((await provider.stats()).writes ?? 0) - writesBefore === 1, 15_000);
    await provider.admin('POST', '/admin/api-latency', { ms: 0 });
    const again = await sendToolCall(gus, sessionId, 'hung-up-1', params);
    expect(again.result.isError).toBeFalsy();
    expect((again.result.structuredContent as { note: { title: string } }).note.title).toBe('written after a hang-up');
    expect(((await provider.stats()).writes ?? 0) - writesBefore).toBe(1);
    const records = await adminCall(api.url, owner, 'GET', `/api/v1/tenants/${slug}/audit?action=tool.call&limit=100`);
    const { events } = (await records.json()) as {
      events: { actorId: string | null; metadata: Record<string, unknown> }[];
    };
    const mine = events.filter((event) => event.actorId === gus.userId && event.metadata.tool === 'demo.create_note');
    expect(mine.map((event) => event.metadata.result)).toContain('succeeded');
    expect(mine.map((event) => event.metadata.result)).not.toContain('interrupted');
  } finally {
    await provider.admin('POST', '/admin/api-latency', { ms: 0 });
    await client.close();
  }
}, 60_000);

test('a tools/call sent again after the queue dropped its answer is refused, not run a second time', async () => {
  const { person: finn, client } = await connectedMember('finn');
  const { connection, queue, close } = toolsQueue();
  try {
    const sessionId = (client.transport as StreamableHTTPClientTransport).sessionId!;
    const send = () =>
      sendToolCall(finn, sessionId, 'resent-2', { name: 'demo.create_note', arguments: { title: 'answer dropped' } });
    const writesBefore = (await provider.stats()).writes ?? 0;
    const first = await send();
    expect(first.result.isError).toBeFalsy();
    const [job] = (await queue.getJobs(['completed'], 0, 100)).filter(
      // (The worker's retention job is in the same queue.)
      (candidate) => candidate.name === toolCallJob.name && candidate.data.arguments.title === 'answer dropped',
    );
    // What the queue does to completed jobs past their age or count (at a high call rate, seconds later): the job
    // goes, and nothing else is touched.
    await connection.zrem(queue.keys.completed!, job!.id!);
    await connection.del(queue.toKey(job!.id!));
    expect(await queue.getJobState(job!.id!)).toBe('unknown');

    const again = await send();
    expect(again.result.isError).toBe(true);
    expect(textOf(again.result)).toMatch(/was already called with this request .* it was not run again/);
    expect(((await provider.stats()).writes ?? 0) - writesBefore).toBe(1);
  } finally {
    await close();
    await client.close();
  }
});

test('a call its api has stopped waiting for never starts afterwards: past its start-by time the worker refuses it', async () => {
  const { client } = await connectedMember('ezra');
  const { queue, close } = toolsQueue();
  try {
    const written = (await client.callTool({
      name: 'demo.create_note',
      arguments: { title: 'on time' },
    })) as CallToolResult;
    if (written.isError) throw new Error(textOf(written));
    // The job the api queued for that call (the newest of this person's completed create_note calls) …
    const [original] = (await queue.getJobs(['completed'], 0, 50)).filter(
      (job) =>
        job.name === toolCallJob.name && job.data.tool === 'demo.create_note' && job.data.arguments.title === 'on time',
    );
    expect(original?.data.startBy).toBeGreaterThan(Date.now());
    // … queued again as if its api had given up on it (and told its client the call was interrupted) before any
    // worker got to it.
    const writesBefore = (await provider.stats()).writes ?? 0;
    const late = await queue.add(
      toolCallJob.name,
      { ...original!.data, arguments: { title: 'too late' }, startBy: Date.now() - 1, replyTo: undefined },
      { jobId: `late-${randomUUID()}` },
    );
    await answeredWithoutWriting(queue, late.id!, 'expired', writesBefore);
  } finally {
    await close();
    await client.close();
  }
});

test("the worker re-checks the tool: made admin-only while a member's call waited in the queue, it is refused", async () => {
  const { client } = await connectedMember('fay');
  try {
    // No worker: the call waits in the queue while an admin restricts the tool.
    await worker.stop();
    const writesBefore = (await provider.stats()).writes ?? 0;
    const waiting = client.callTool({ name: 'demo.create_note', arguments: { title: 'restricted meanwhile' } });
    const redis = new Redis(redisServer.url);
    try {
      // BullMQ's list of waiting jobs of the tools queue.
      await waitFor('the call to be queued', async () =>
        (await redis.llen(`${testPrefix()}:gatehouse-tools:wait`)) > 0 ? true : undefined,
      );
    } finally {
      redis.disconnect();
    }
    const restricted = await adminCall(api.url, owner, 'PATCH', `/api/v1/tenants/${slug}/mcp-servers/notes`, {
      adminOnlyTools: ['demo.create_note'],
    });
    expect(restricted.status).toBe(200);
    worker = await newWorker(workerEnv(api.url));
    const result = (await waiting) as CallToolResult;
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('demo.create_note is no longer available to you on this MCP server');
    expect(((await provider.stats()).writes ?? 0) - writesBefore).toBe(0);
  } finally {
    await client.close();
    const restored = await adminCall(api.url, owner, 'PATCH', `/api/v1/tenants/${slug}/mcp-servers/notes`, {
      adminOnlyTools: [],
    });
    expect(restored.status).toBe(200);
  }
});

test('the worker remembers what a call reads, and forgets it on every change that could refuse the next call', async () => {
  const { person, client } = await connectedMember('gus');
  const ownerDb = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
  const list = async (): Promise<CallToolResult> => {
    try {
      return (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    } catch (error) {
      // The api refusing a tool it no longer offers answers a JSON-RPC error.
      if (!(error instanceof McpError)) throw error;
      return { isError: true, content: [{ type: 'text', text: error.message }] };
    }
  };
  /** Calls until refused, at most for 1 s; answers the refusal and how long after the change it came. */
  const refusedWithin = async (since: number) => {
    for (;;) {
      const result = await list();
      if (result.isError) return { result, ms: Date.now() - since };
      if (Date.now() - since > 1_000) throw new Error('still served from memory 1 s after the change');
    }
  };
  try {
    // Warm: the worker remembers gus's membership, the server's tools and the connection.
    for (let i = 0; i < 3; i++) expect((await list()).isError).toBeFalsy();

    // The tool made admin-only by plain SQL (as another process would; the api may still offer it from its own
    // short-lived endpoint cache, so the refusal comes from whichever looks first): refused within 1 s.
    let since = Date.now();
    await ownerDb.$executeRaw`UPDATE mcp_servers SET admin_only_tools = ARRAY['demo.list_notes']
      WHERE slug = 'notes' AND tenant_id = (SELECT id FROM tenants WHERE slug = ${slug})`;
    let refused = await refusedWithin(since);
    expect(textOf(refused.result)).toMatch(/no longer available to you|not available|unknown tool/i);
    await ownerDb.$executeRaw`UPDATE mcp_servers SET admin_only_tools = '{}'
      WHERE slug = 'notes' AND tenant_id = (SELECT id FROM tenants WHERE slug = ${slug})`;
    await waitFor('the tool to be offered again', async () => ((await list()).isError ? undefined : true));

    // The connection marked as needing the person again by plain SQL (as another process would): refused < 1 s.
    since = Date.now();
    await ownerDb.$executeRaw`UPDATE connections SET status = 'needs_reauth' WHERE user_id = ${person.userId}::uuid`;
    refused = await refusedWithin(since);
    expect(textOf(refused.result)).toMatch(/connect|reconnect|sign in/i);
    await ownerDb.$executeRaw`UPDATE connections SET status = 'active' WHERE user_id = ${person.userId}::uuid`;
    await waitFor('the connection to be usable again', async () => ((await list()).isError ? undefined : true));

    // Last-use bookkeeping is not a change: it leaves what the worker remembers in place (and is written at most
    // once a minute, not per call).
    const touchedBefore = await ownerDb.connection.findFirstOrThrow({ where: { userId: person.userId } });
    for (let i = 0; i < 5; i++) expect((await list()).isError).toBeFalsy();
    const touchedAfter = await ownerDb.connection.findFirstOrThrow({ where: { userId: person.userId } });
    expect(touchedAfter.lastUsedAt?.getTime()).toBe(touchedBefore.lastUsedAt?.getTime());

    // The person disconnects in the console: the next call asks them to connect again.
    const disconnected = await adminCall(api.url, person, 'DELETE', `/api/v1/tenants/${slug}/connections/demo`);
    expect(disconnected.status).toBe(200);
    const after = await list();
    expect(after.isError).toBe(true);
    expect(textOf(after)).toContain('Connect your Gatehouse Demo account');
  } finally {
    await client.close();
    await ownerDb.$disconnect();
  }
});

test('kill -9 of the worker during 50 non-idempotent calls: each completed once or answered a clear error, no duplicates', async () => {
  const { client } = await connectedMember('dave');

  // Workers that notice a dead peer within about a second, and a provider slow enough that calls are in flight.
  await worker.stop();
  const crashEnv = { ...workerEnv(api.url), WORKER_CONCURRENCY: '8' };
  const doomed = await newWorker(crashEnv);
  await provider.admin('POST', '/admin/api-latency', { ms: 150 });
  const writesBefore = (await provider.stats()).writes ?? 0;
  let replacement: WorkerProcess | undefined;
  try {
    const calls = Array.from(
      { length: 50 },
      (_, index) =>
        client.callTool({ name: 'demo.create_note', arguments: { title: `chaos-${index}` } }, undefined, {
          timeout: 120_000,
        }) as Promise<CallToolResult>,
    );
    await waitUntil(async () => ((await provider.stats()).writes ?? 0) - writesBefore >= 10);
    doomed.process.child.kill('SIGKILL');
    await doomed.process.exited;
    replacement = await newWorker(crashEnv);
    const results = await Promise.all(calls);

    const succeeded = results.filter((result) => !result.isError);
    const failed = results.filter((result) => result.isError);
    expect(succeeded.length + failed.length).toBe(50);
    expect(failed.length).toBeGreaterThan(0); // the kill did hit calls in flight
    for (const result of failed) expect(textOf(result)).toMatch(/interrupted.*may or may not have taken effect/);

    await provider.admin('POST', '/admin/api-latency', { ms: 0 });
    const listed = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    const titles = (listed.structuredContent as { notes: { title: string }[] }).notes
      .map((note) => note.title)
      .filter((title) => title.startsWith('chaos-'));
    // Never a second run: every title at most once, and the provider counted exactly the notes that exist.
    expect(new Set(titles).size).toBe(titles.length);
    expect(((await provider.stats()).writes ?? 0) - writesBefore).toBe(titles.length);
    for (const result of succeeded)
      expect(titles).toContain((result.structuredContent as { note: { title: string } }).note.title);
  } finally {
    await provider.admin('POST', '/admin/api-latency', { ms: 0 });
    await client.close();
    worker = replacement ?? (await newWorker(workerEnv(api.url)));
  }
}, 120_000);

test('kill -9 of the api while its call runs: the worker that ran it writes the tool.call record', async () => {
  const { person: finn, client } = await connectedMember('finn');
  await client.close();
  // A second api of the same deployment, which the test kills while a call it queued runs at the (slow) provider.
  const port = await freePort();
  const doomed = await startApiProcess(
    { REDIS_URL: redisServer.url, PUBLIC_API_URL: api.url, MCP_ALLOWED_HOSTS: `127.0.0.1:${port}` },
    port,
  );
  const { queue, close } = toolsQueue();
  await provider.admin('POST', '/admin/api-latency', { ms: 1_500 });
  try {
    const writesBefore = (await provider.stats()).writes ?? 0;
    const title = `orphan-${randomUUID().slice(0, 8)}`;
    const path = new URL(endpoint).pathname;
    const sent = fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${finn.token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'orphan-1',
        method: 'tools/call',
        params: { name: 'demo.create_note', arguments: { title } },
      }),
    }).then(
      async (response) => response.text(),
      () => 'no answer',
    );
    await waitUntil(async () => (await queue.getActiveCount()) > 0);
    doomed.process.child.kill('SIGKILL');
    await doomed.process.exited;
    expect(await sent).not.toContain(title);

    // The call ran once; its record names the worker as the one who wrote it.
    type Event = { outcome: string; requestId: string | null; metadata: Record<string, unknown> };
    let recorded: Event | undefined;
    await waitUntil(async () => {
      const page = await adminCall(
        api.url,
        owner,
        'GET',
        `/api/v1/tenants/${slug}/audit?action=tool.call&actorId=${finn.userId}&limit=100`,
      );
      const { events } = (await page.json()) as { events: Event[] };
      recorded = events.find((event) => event.metadata.recordedBy === 'worker');
      return recorded !== undefined;
    }, 15_000);
    expect(recorded).toMatchObject({
      outcome: 'success',
      metadata: {
        result: 'succeeded',
        tool: 'demo.create_note',
        provider: 'demo',
        callerGone: true,
        argumentsDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    });
    expect(JSON.stringify(recorded)).not.toContain(title);
    expect(((await provider.stats()).writes ?? 0) - writesBefore).toBe(1);
  } finally {
    await provider.admin('POST', '/admin/api-latency', { ms: 0 });
    await close();
    await doomed.stop();
  }
}, 90_000);

/** `gatehouse-admin tools …` against this file's database and queue; its JSON lines. */
async function toolsAdmin(...args: string[]) {
  const child = startProcess(
    'gatehouse-admin',
    process.execPath,
    [join(repoRoot, 'apps/worker/dist/cli.js'), 'tools', ...args],
    {
      env: baseEnv({ DATABASE_URL: testAppDatabaseUrl(), REDIS_URL: redisServer.url, QUEUE_PREFIX: testPrefix() }),
    },
  );
  const { code } = await child.exited;
  const lines = child
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { code, lines, output: child.output() };
}

test('failed calls are kept for inspection (never their arguments) and an operator can replay one, audited', async () => {
  // The calls interrupted by the kill -9 above are kept as failed jobs.
  const failed = await toolsAdmin('failed', slug);
  expect(failed.code).toBe(0);
  expect(failed.lines.length).toBeGreaterThan(0);
  for (const line of failed.lines)
    expect(line).toMatchObject({ tool: 'demo.create_note', reason: expect.stringMatching(/stalled/) as unknown });
  expect(failed.output).not.toContain('chaos-'); // the arguments (note titles) stay out of the listing
  const jobId = failed.lines[0]!.jobId as string;
  const writesBefore = (await provider.stats()).writes ?? 0;
  // Operators replay long after the call was queued: by then its start-by time (for the api that waited) is past.
  const { queue, connection, close } = toolsQueue();
  // The first run's traces: the api's (carried by BullMQ in the job's options) and any the workers exported.
  const firstTraces = new Set(
    collector.spans.filter((span) => span.attributes['bullmq.job.id'] === jobId).map((span) => span.traceId),
  );
  try {
    const job = (await queue.getJob(jobId))!;
    const carried = /00-([0-9a-f]{32})-/.exec(String(job.opts.telemetry?.metadata ?? ''));
    expect(carried).not.toBeNull();
    firstTraces.add(carried![1]!);
    await job.updateData({ ...job.data, startBy: Date.now() - 60_000 });
    // Under load the queue drops a finished job within seconds (by count): this one goes the moment it finishes,
    // and the command must still learn how it ended.
    const key = queue.toKey(jobId);
    const options = JSON.parse((await connection.hget(key, 'opts'))!) as Record<string, unknown>;
    await connection.hset(key, 'opts', JSON.stringify({ ...options, removeOnComplete: true }));
  } finally {
    await close();
  }

  const replayed = await toolsAdmin('replay', jobId);
  expect(replayed.code).toBe(0);
  // The command waits for the replay and says how it ended.
  expect(replayed.lines).toEqual([
    { replayed: jobId, tool: 'demo.create_note' },
    { jobId, state: 'completed', result: { kind: 'ok' } },
  ]);
  expect((await toolsAdmin('show', jobId)).output).toMatch(/no tool call with job id .* is kept/);
  // The replay has a trace of its own: its worker did not continue the first run's (only the replay completed).
  const replaySpan = await waitForSpan(
    (span) => span.attributes['bullmq.job.id'] === jobId && span.attributes['bullmq.queue.operation'] === 'complete',
  );
  expect(firstTraces.has(replaySpan.traceId)).toBe(false);
  // It ran once more, as the person; a second replay is refused (it is no longer failed).
  expect(((await provider.stats()).writes ?? 0) - writesBefore).toBe(1);
  const again = await toolsAdmin('replay', jobId);
  expect(again.code).toBe(1);
  expect(again.output).toMatch(/is kept/);
  // Only failed calls replay: a completed one (kept) is refused as such.
  const kept = toolsQueue();
  try {
    const [completed] = await kept.queue.getCompleted(0, 0);
    const refused = await toolsAdmin('replay', completed!.id!);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/is completed, not failed/);
  } finally {
    await kept.close();
  }

  const page = auditPage.parse(
    await (await adminCall(api.url, owner, 'GET', `/api/v1/tenants/${slug}/audit?action=tool.replayed`)).json(),
  );
  expect(page.events[0]).toMatchObject({
    actorType: 'system',
    targetId: 'demo.create_note',
    metadata: { jobId, tool: 'demo.create_note' },
  });
  const finished = auditPage.parse(
    await (await adminCall(api.url, owner, 'GET', `/api/v1/tenants/${slug}/audit?action=tool.replay_finished`)).json(),
  );
  expect(finished.events[0]).toMatchObject({
    actorType: 'system',
    outcome: 'success',
    metadata: { jobId, tool: 'demo.create_note', state: 'completed', result: 'ok' },
  });
  // The replayed run is a call like any other: the worker, on which no api waits, records its tool.call itself —
  // whether or not the command was still there to hear how it ended.
  let replayedCall: { outcome: string; metadata: Record<string, unknown> } | undefined;
  await waitUntil(async () => {
    const calls = auditPage.parse(
      await (await adminCall(api.url, owner, 'GET', `/api/v1/tenants/${slug}/audit?action=tool.call&limit=20`)).json(),
    );
    replayedCall = calls.events.find((event) => event.metadata.replayed === true);
    return replayedCall !== undefined;
  }, 10_000);
  expect(replayedCall).toMatchObject({
    outcome: 'success',
    metadata: { tool: 'demo.create_note', result: 'succeeded', recordedBy: 'worker' },
  });
  expect(replayedCall!.metadata.callerGone).toBeUndefined();
  expect(replayedCall!.metadata.latencyMs as number).toBeLessThan(30_000);
}, 60_000);

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test("one tenant flooding hits its own limit (audited, with retry-after); another tenant's calls succeed, latency measured", async () => {
  // The noisy tenant: its own server, provider app, a connected member, and a limit of 20 calls a minute.
  const noisySlug = `noisy-${randomUUID().slice(0, 6)}`;
  expect((await adminCall(api.url, owner, 'POST', '/api/v1/tenants', { slug: noisySlug, name: 'Noisy' })).status).toBe(
    201,
  );
  const server = await adminCall(api.url, owner, 'POST', `/api/v1/tenants/${noisySlug}/mcp-servers`, {
    slug: 'notes',
    title: 'Notes',
    toolkits: ['demo'],
    tools: [],
  });
  const noisyEndpoint = ((await server.json()) as { endpoint: string }).endpoint;
  await adminCall(api.url, owner, 'PUT', `/api/v1/tenants/${noisySlug}/provider-apps/demo`, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    allowedScopes: ['notes:read', 'notes:write'],
    settings: { baseUrl: provider.url },
  });
  const limits = await adminCall(api.url, owner, 'PUT', `/api/v1/tenants/${noisySlug}/tool-limits`, { perTenant: 20 });
  expect(await limits.json()).toMatchObject({
    overrides: { perTenant: 20 },
    effective: { perTenant: 20, perUser: 600 },
    ceilings: { perTenant: 6000, perUser: 600, perTool: 300, perProvider: 3000 },
  });
  // No tenant raises a limit past its default unless the operator allows it (TOOL_CALLS_PER_MINUTE_CEILING, unset
  // here); nothing is changed.
  const raised = await adminCall(api.url, owner, 'PUT', `/api/v1/tenants/${noisySlug}/tool-limits`, {
    perTenant: 20,
    perTool: 301,
  });
  expect(raised.status).toBe(400);
  expect(raised.headers.get('content-type')).toContain('application/problem+json');
  expect(await raised.json()).toMatchObject({
    code: 'validation_failed',
    errors: [{ path: 'perTool', message: expect.stringContaining('at most 300 calls per minute') }],
  });
  const unchanged = await adminCall(api.url, owner, 'GET', `/api/v1/tenants/${noisySlug}/tool-limits`);
  expect(await unchanged.json()).toMatchObject({ overrides: { perTenant: 20 }, effective: { perTool: 300 } });
  const clientId = await registerClient(api.url, REDIRECT);
  const noisyToken = await accessTokenFor(api.url, clientId, REDIRECT, owner, noisyEndpoint);
  const noisy = new Client({ name: 'noisy', version: '1.0.0' });
  await noisy.connect(
    new StreamableHTTPClientTransport(new URL(noisyEndpoint), {
      requestInit: { headers: { authorization: `Bearer ${noisyToken}` } },
    }),
  );
  const refused = (await noisy.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
  await connectFromRefusal(refused, owner, 'owner');

  // The quiet tenant's person, connected.
  const erin = await member('erin');
  const quiet = await mcpClient(erin.token);
  const first = (await quiet.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
  await connectFromRefusal(first, erin, 'erin');
  const timedCalls = async (count: number) => {
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const result = (await quiet.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
      latencies.push(performance.now() - started);
      expect(result.isError).toBeFalsy();
    }
    return latencies.sort((a, b) => a - b)[Math.floor(latencies.length / 2)]!;
  };
  try {
    const baseline = await timedCalls(20);
    const flood = Promise.all(
      Array.from(
        { length: 150 },
        () => noisy.callTool({ name: 'demo.list_notes', arguments: {} }) as Promise<CallToolResult>,
      ),
    );
    const during = await timedCalls(20);
    const results = await flood;
    const limited = results.filter((result) => result.isError);
    expect(results.length - limited.length).toBeLessThanOrEqual(19); // 20 a minute, one spent on the refused call
    expect(limited.length).toBeGreaterThan(100);
    expect(textOf(limited[0]!)).toMatch(/Too many calls \(this organisation's limit\); retry after \d+ s\./);
    expect(limited[0]!._meta).toMatchObject({ gatehouse: { code: 'rate_limited', limit: 'perTenant' } });
    process.stdout.write(
      `quiet tenant p50: ${baseline.toFixed(1)} ms alone, ${during.toFixed(1)} ms during the flood\n`,
    );
    // Generous bound for a loaded 2-core machine; the measured figures are printed above.
    expect(during).toBeLessThan(baseline * 4 + 50);

    const audit = await adminCall(
      api.url,
      owner,
      'GET',
      `/api/v1/tenants/${noisySlug}/audit?action=tool.call&limit=500`,
    );
    const { events } = (await audit.json()) as { events: { outcome: string; metadata: Record<string, unknown> }[] };
    const audited = events.filter((event) => event.metadata.result === 'rate_limited');
    expect(audited.length).toBe(limited.length);
    expect(audited[0]).toMatchObject({ outcome: 'denied', metadata: { limit: 'perTenant' } });
  } finally {
    await Promise.all([noisy.close(), quiet.close()]);
  }
}, 120_000);

test('provider failures: 503s are clear errors; three in a row open the circuit, which refuses at once and then closes', async () => {
  const { client } = await connectedMember('frank');
  try {
    await provider.admin('POST', '/admin/fail-api', { status: 503, times: 3 });
    for (let i = 0; i < 3; i++) {
      const failed = (await client.callTool({
        name: 'demo.create_note',
        arguments: { title: `f${i}` },
      })) as CallToolResult;
      expect(failed.isError).toBe(true);
      // A write the provider failed may have been done all the same: the caller is told to check, not to retry.
      expect(textOf(failed)).toMatch(
        /demo failed \(HTTP 503\)\. It may have taken effect there all the same: check before calling it again/,
      );
    }
    const before = (await provider.stats()).apiRequests ?? 0;
    const paused = (await client.callTool({ name: 'demo.create_note', arguments: { title: 'f3' } })) as CallToolResult;
    expect(textOf(paused)).toMatch(/demo has been failing; Gatehouse pauses calls to it for \d s/);
    expect(paused._meta).toMatchObject({ gatehouse: { code: 'circuit_open' } });
    expect((await provider.stats()).apiRequests ?? 0).toBe(before); // never reached the provider
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    const recovered = (await client.callTool({
      name: 'demo.create_note',
      arguments: { title: 'back' },
    })) as CallToolResult;
    if (recovered.isError) throw new Error(textOf(recovered));
  } finally {
    await provider.admin('POST', '/admin/fail-api', { status: 503, times: 0 });
    await client.close();
  }
});

test('a provider answering 429 with Retry-After: the caller is told when to retry, and the provider is not asked again sooner', async () => {
  const { client } = await connectedMember('fay');
  try {
    await provider.admin('POST', '/admin/fail-api', { status: 429, times: 3, retryAfterSeconds: 7 });
    const before = (await provider.stats()).apiRequests ?? 0;
    // A read-only tool, which other retryable failures would run again.
    const limited = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    expect(limited.isError).toBe(true);
    expect(textOf(limited)).toMatch(/demo is limiting requests.*retry after 7 s/);
    expect(limited._meta).toMatchObject({ gatehouse: { retryAfterSeconds: 7 } });
    expect(((await provider.stats()).apiRequests ?? 0) - before).toBe(1);
  } finally {
    await provider.admin('POST', '/admin/fail-api', { status: 429, times: 0 });
    await client.close();
  }
});

test('a token the provider stops accepting before it expires is refreshed once: reads go on, a write is asked again', async () => {
  const { client } = await connectedMember('gil');
  const { client: reader } = await connectedMember('hal');
  try {
    const before = await provider.stats();
    // The provider forgets every access token it issued; Gatehouse still holds them as valid for minutes.
    expect((await provider.admin('POST', '/admin/expire-tokens')).status).toBe(200);
    // A read runs again with the refreshed token.
    const listed = (await reader.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    if (listed.isError) throw new Error(textOf(listed));
    const afterRead = await provider.stats();
    expect((afterRead.refreshes ?? 0) - (before.refreshes ?? 0)).toBe(1);
    expect((afterRead.apiUnauthorized ?? 0) - (before.apiUnauthorized ?? 0)).toBe(1);

    // A write is not sent a second time behind the caller's back: it hears that it did not take effect.
    const refused = (await client.callTool({
      name: 'demo.create_note',
      arguments: { title: 'after a revoked token' },
    })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(
      /did not take effect there; Gatehouse has refreshed the token: call demo.create_note again/,
    );
    expect((await provider.stats()).writes).toBe(afterRead.writes);
    const again = (await client.callTool({
      name: 'demo.create_note',
      arguments: { title: 'after a revoked token' },
    })) as CallToolResult;
    if (again.isError) throw new Error(textOf(again));
    expect((await provider.stats()).writes).toBe((afterRead.writes ?? 0) + 1);

    // The fresh token refused too, minutes later: refreshing again would only repeat it — the person reconnects.
    const beforeSecond = await provider.stats();
    expect((await provider.admin('POST', '/admin/expire-tokens')).status).toBe(200);
    const reconnect = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    expect(reconnect.isError).toBe(true);
    expect(textOf(reconnect)).toContain('/connect/');
    expect((await provider.stats()).refreshes).toBe(beforeSecond.refreshes);
  } finally {
    await Promise.all([client.close(), reader.close()]);
  }
}, 60_000);

test('a scope withdrawn at the provider (403 insufficient_scope): the grant is recorded without it and the person asked to grant it again', async () => {
  const { person, client } = await connectedMember('ivy');
  const ownerDb = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
  try {
    expect(
      await (await provider.admin('POST', '/admin/withdraw-scope', { username: 'ivy', scope: 'notes:write' })).json(),
    ).toEqual({ withdrawn: 1 });
    const before = await provider.stats();
    const refused = (await client.callTool({
      name: 'demo.create_note',
      arguments: { title: 'no scope' },
    })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/lacks notes:write/);
    expect(textOf(refused)).toContain('/connect/');
    const after = await provider.stats();
    expect([(after.apiForbidden ?? 0) - (before.apiForbidden ?? 0), after.writes]).toEqual([1, before.writes]);
    const connection = await ownerDb.connection.findFirstOrThrow({
      where: { userId: person.userId, providerId: 'demo' },
    });
    expect(connection.scopes).not.toContain('notes:write');
    expect(connection.status).toBe('active');
    const recorded = await ownerDb.auditEvent.findFirstOrThrow({
      where: { action: 'connection.scopes_refused', targetId: connection.id },
    });
    expect(recorded.metadata).toMatchObject({ providerId: 'demo', scopesAfter: connection.scopes });
    // The next call is answered before the provider is asked again; reads go on.
    const again = (await client.callTool({
      name: 'demo.create_note',
      arguments: { title: 'no scope' },
    })) as CallToolResult;
    expect(textOf(again)).toMatch(/lacks notes:write/);
    expect((await provider.stats()).apiRequests).toBe(after.apiRequests);
    const listed = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    if (listed.isError) throw new Error(textOf(listed));
  } finally {
    await Promise.all([client.close(), ownerDb.$disconnect()]);
  }
}, 60_000);

test('a 401 whose refresh the provider cannot answer right now: the read is retried, then told so — the connection kept', async () => {
  const { client } = await connectedMember('otto');
  try {
    expect((await provider.admin('POST', '/admin/expire-tokens')).status).toBe(200);
    // An edge in front of the token endpoint answers 403 HTML: no verdict on the grant.
    await provider.admin('POST', '/admin/fail-refresh', { enabled: true, as: 'blocked' });
    const listed = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    expect(listed.isError).toBe(true);
    expect(textOf(listed)).not.toMatch(/failed unexpectedly/);
    expect(textOf(listed)).toMatch(/could not refresh|try again/i);
    // The connection stays: once the provider answers again, the same call works without reconnecting.
    await provider.admin('POST', '/admin/fail-refresh', { enabled: false });
    const again = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    if (again.isError) throw new Error(textOf(again));
  } finally {
    await provider.admin('POST', '/admin/fail-refresh', { enabled: false });
    await client.close();
  }
}, 60_000);

test('notifications/cancelled aborts the running call at the worker', async () => {
  const gina = await member('gina');
  const client = await mcpClient(gina.token);
  // One worker that runs one call at a time: a call that is not aborted keeps it busy.
  await worker.stop();
  const single = await newWorker({ ...workerEnv(api.url), WORKER_CONCURRENCY: '1' });
  try {
    const refused = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    await connectFromRefusal(refused, gina, 'gina');
    await provider.admin('POST', '/admin/api-latency', { ms: 4_000 });
    const controller = new AbortController();
    const slow = client.callTool({ name: 'demo.list_notes', arguments: {} }, undefined, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 500));
    controller.abort();
    await expect(slow).rejects.toThrow();
    await provider.admin('POST', '/admin/api-latency', { ms: 0 });
    const started = Date.now();
    const next = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    if (next.isError) throw new Error(textOf(next));
    // Without the abort the worker would still be waiting out the first call's 4 s.
    expect(Date.now() - started).toBeLessThan(2_500);
    // The cancelled call has one record, the tool call's own (interrupted), not also a cancelled MCP request.
    const audit = async (action: string) =>
      auditPage.parse(
        await (
          await adminCall(
            api.url,
            owner,
            'GET',
            `/api/v1/tenants/${slug}/audit?action=${action}&actorId=${gina.userId}`,
          )
        ).json(),
      ).events;
    await waitUntil(async () => (await audit('tool.call')).some((event) => event.metadata.result === 'interrupted'));
    expect((await audit('tool.call')).filter((event) => event.metadata.result === 'interrupted')).toHaveLength(1);
    expect((await audit('mcp.request')).filter((event) => event.metadata.errorCode === 'cancelled')).toEqual([]);
  } finally {
    await provider.admin('POST', '/admin/api-latency', { ms: 0 });
    await client.close();
    await single.stop();
    worker = await newWorker(workerEnv(api.url));
  }
});

test('a write cancelled while a worker was taking it never runs: the worker that starts it finds it marked cancelled', async () => {
  const { client } = await connectedMember('ivan');
  // No worker of ours runs: this test's own consumer takes the job, as a worker does, and gives it back only after
  // the cancellation was announced — which no worker heard.
  await worker.stop();
  const { connection, queue, close } = toolsQueue();
  const taker = new Worker<ToolCallPayload>(toolCallJob.queue, null, {
    connection,
    prefix: testPrefix(),
    autorun: false,
  });
  let replacement: WorkerProcess | undefined;
  try {
    const writesBefore = (await provider.stats()).writes ?? 0;
    const controller = new AbortController();
    const call = client.callTool({ name: 'demo.create_note', arguments: { title: 'cancelled early' } }, undefined, {
      signal: controller.signal,
    });
    call.catch(() => undefined);
    let job: Awaited<ReturnType<typeof taker.getNextJob>>;
    const deadline = Date.now() + 10_000;
    do {
      job = await taker.getNextJob('test-token', { block: false });
      if (!job && Date.now() > deadline) throw new Error('the call was never queued');
      if (!job) await new Promise((resolve) => setTimeout(resolve, 20));
    } while (!job);
    expect(job.data.arguments).toMatchObject({ title: 'cancelled early' });
    controller.abort();
    await expect(call).rejects.toThrow();
    // Announced (no worker listening), and marked.
    await waitUntil(async () => (await connection.exists(toolCancelledKey(testPrefix(), job.id!))) === 1);
    await job.moveToWait('test-token');
    replacement = await newWorker(workerEnv(api.url));
    await answeredWithoutWriting(queue, job.id!, 'cancelled', writesBefore);
  } finally {
    await client.close();
    await taker.close();
    await close();
    worker = replacement ?? (await newWorker(workerEnv(api.url)));
  }
});

test('progress the worker reports reaches the client as notifications/progress', async () => {
  const hana = await member('hana');
  const client = await mcpClient(hana.token);
  try {
    const refused = (await client.callTool({ name: 'demo.create_note', arguments: { title: 'n0' } })) as CallToolResult;
    await connectFromRefusal(refused, hana, 'hana');
    for (const title of ['n1', 'n2', 'n3']) await client.callTool({ name: 'demo.create_note', arguments: { title } });
    const updates: { progress: number; total?: number | undefined; message?: string | undefined }[] = [];
    const exported = (await client.callTool({ name: 'demo.export_notes', arguments: {} }, undefined, {
      onprogress: (update) => updates.push(update),
    })) as CallToolResult;
    if (exported.isError) throw new Error(textOf(exported));
    expect(exported.structuredContent).toMatchObject({ count: 3 });
    expect(updates.map((update) => [update.progress, update.total])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(updates[2]!.message).toBe('read 3 of 3 notes');
  } finally {
    await client.close();
  }
});

test('one trace per call: the api span, the worker span under it, the provider request under that; the audit record names it', async () => {
  const ivy = await member('ivy');
  // The client sends a trace context of its own: Gatehouse does not let it choose the trace its call is recorded in.
  const claimed = '0af7651916cd43dd8448eb211c80319c';
  const client = await mcpClient(ivy.token, {}, { traceparent: `00-${claimed}-b7ad6b7169203331-01` });
  let callback: URL;
  try {
    const refused = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    callback = new URL(await connectFromRefusal(refused, ivy, 'ivy'));
    const listed = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    if (listed.isError) throw new Error(textOf(listed));
  } finally {
    await client.close();
  }
  const response = await adminCall(api.url, owner, 'GET', `/api/v1/tenants/${slug}/audit?action=tool.call&limit=1`);
  const [event] = ((await response.json()) as { events: { traceId: string | null; metadata: { result: string } }[] })
    .events;
  expect(event!.metadata.result).toBe('succeeded');
  const traceId = event!.traceId!;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(traceId).not.toBe(claimed);
  const spans = await collector.waitForTrace(traceId, ['tool.call', 'tool.run', 'provider.request']);
  const byName = new Map(spans.map((span) => [span.name, span]));
  const call = byName.get('tool.call')!;
  const run = byName.get('tool.run')!;
  const request = byName.get('provider.request')!;
  expect(call.service).toBe('gatehouse-api');
  expect(run.service).toBe('gatehouse-worker');
  expect(run.parentSpanId).toBe(call.spanId);
  expect(request.parentSpanId).toBe(run.spanId);
  expect(request.attributes).toMatchObject({
    'http.request.method': 'GET',
    'url.path': '/api/notes',
    'http.response.status_code': 200,
  });

  // Automatic spans in the same trace. The client span of the request to the demo provider ends after
  // provider.request's child work, so wait for it (and the other late exports) explicitly.
  const providerPort = Number(new URL(provider.url).port);
  const traced = await waitForSpans(traceId, (all) => {
    const outbound = all.find(
      (span) =>
        span.kind === SpanKind.CLIENT &&
        span.parentSpanId === request.spanId &&
        span.attributes['server.port'] === providerPort,
    );
    const inbound = all.find((span) => span.kind === SpanKind.SERVER && span.service === 'gatehouse-api');
    const redis = (service: string) =>
      all.some((span) => span.service === service && span.attributes['db.system.name'] === 'redis');
    const postgres = (service: string) =>
      all.some((span) => span.service === service && span.attributes['db.system.name'] === 'postgresql');
    return Boolean(
      outbound &&
      inbound &&
      redis('gatehouse-api') &&
      redis('gatehouse-worker') &&
      postgres('gatehouse-api') &&
      postgres('gatehouse-worker'),
    );
  });
  const byId = new Map(traced.map((span) => [span.spanId, span]));
  const ancestors = (span: CollectedSpan): CollectedSpan[] => {
    const chain: CollectedSpan[] = [];
    for (let at = byId.get(span.parentSpanId ?? ''); at; at = byId.get(at.parentSpanId ?? '')) chain.push(at);
    return chain;
  };
  // The MCP request's server span is the root the api's and worker's spans hang from.
  const inbound = traced.find((span) => span.kind === SpanKind.SERVER && span.service === 'gatehouse-api')!;
  expect(inbound.parentSpanId).toBeUndefined();
  expect(inbound.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.response.status_code': 200 });
  expect(ancestors(call)).toContain(inbound);
  // The outgoing request undici made for provider.request, to the demo provider: traced here, but the provider (a
  // third party) was never sent the trace context — by this call, its token exchange or any request before.
  expect((await provider.stats()).traceContextsReceived).toBe(0);
  const outbound = traced.find((span) => span.kind === SpanKind.CLIENT && span.parentSpanId === request.spanId)!;
  expect(outbound.service).toBe('gatehouse-worker');
  expect(outbound.attributes).toMatchObject({
    'http.request.method': 'GET',
    'server.address': '127.0.0.1',
    'server.port': providerPort,
    'url.path': '/api/notes',
    'http.response.status_code': 200,
  });
  // Redis: the command name only. PostgreSQL: parameterised SQL, never the values.
  for (const span of traced.filter((each) => each.attributes['db.system.name'] === 'redis'))
    expect(String(span.attributes['db.query.text'])).toMatch(/^[\w.|-]+$/);
  const queries = traced.filter((span) => span.attributes['db.system.name'] === 'postgresql');
  expect(queries.every((span) => !('db.postgresql.values' in span.attributes))).toBe(true);
  expect(queries.some((span) => ancestors(span).includes(run))).toBe(true);
  // BullMQ's own spans (bullmq-otel) join the trace: the enqueue in the api, the processing in the worker.
  expect(traced.some((span) => span.service === 'gatehouse-api' && span.kind === SpanKind.PRODUCER)).toBe(true);
  expect(traced.some((span) => span.service === 'gatehouse-worker' && span.kind === SpanKind.CONSUMER)).toBe(true);

  // No token anywhere in any span: not the MCP bearer token, not the provider token the worker sent, not the
  // OAuth code or state of the connection's callback — whose server span keeps the query with those redacted.
  const providerToken = await providerTokenOf(ivy.userId);
  const code = callback.searchParams.get('code')!;
  const state = callback.searchParams.get('state')!;
  const callbackSpan = await waitForSpan(
    (span) => span.kind === SpanKind.SERVER && span.attributes['url.path'] === callback.pathname,
  );
  expect(callbackSpan.attributes['url.query']).toMatch(/(^|&)code=\[redacted\](&|$)/);
  expect(callbackSpan.attributes['url.query']).toMatch(/(^|&)state=\[redacted\](&|$)/);
  const everything = JSON.stringify(collector.spans);
  for (const secret of [ivy.token, providerToken, code, state]) {
    expect(secret.length).toBeGreaterThan(15);
    expect(everything).not.toContain(secret);
  }
  // Probes and scrapes are not traced.
  expect(collector.spans.some((span) => /^\/(healthz|readyz|metrics)$/.test(String(span.attributes['url.path'])))).toBe(
    false,
  );
});

test("no trace holds what a tool answered: BullMQ's spans say the job completed, never its result", async () => {
  const { person: lou, client } = await connectedMember('lou');
  const canary = `output-canary-${randomUUID()}`;
  try {
    const created = (await client.callTool({
      name: 'demo.create_note',
      arguments: { title: canary, body: canary },
    })) as CallToolResult;
    if (created.isError) throw new Error(textOf(created));
    const listed = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    if (listed.isError) throw new Error(textOf(listed));
    expect(JSON.stringify(listed.structuredContent)).toContain(canary);
  } finally {
    await client.close();
  }
  const response = await adminCall(
    api.url,
    owner,
    'GET',
    `/api/v1/tenants/${slug}/audit?action=tool.call&actorId=${lou.userId}&limit=1`,
  );
  const traceId = ((await response.json()) as { events: { traceId: string }[] }).events[0]!.traceId;
  const traced = await waitForSpans(traceId, (all) =>
    all.some(
      (span) =>
        span.service === 'gatehouse-worker' &&
        span.kind === SpanKind.CONSUMER &&
        span.events.some((event) => event.name === 'job completed'),
    ),
  );
  expect(traced.length).toBeGreaterThan(0);
  expect(JSON.stringify(collector.spans)).not.toContain(canary);
});

/** Waits until the spans of `traceId` satisfy `done` (spans are exported in batches, every half second). */
async function waitForSpans(
  traceId: string,
  done: (spans: CollectedSpan[]) => boolean,
  timeoutMs = 15_000,
): Promise<CollectedSpan[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const spans = collector.spans.filter((span) => span.traceId === traceId);
    if (done(spans)) return spans;
    if (Date.now() > deadline)
      throw new Error(`trace ${traceId} incomplete: ${JSON.stringify(spans.map((span) => [span.service, span.name]))}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitForSpan(match: (span: CollectedSpan) => boolean, timeoutMs = 15_000): Promise<CollectedSpan> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = collector.spans.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('no such span was exported');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The demo-provider access token Gatehouse holds for `userId` (read back from the vault). */
async function providerTokenOf(userId: string): Promise<string> {
  const ownerDb = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
  const appDb = createDatabase({ url: testAppDatabaseUrl(), maxConnections: 1 });
  try {
    const vault = new Vault(
      LocalKeyring.parse(testVaultKeys()),
      new DataKeyRepository(appDb),
      new SecretRepository(appDb),
    );
    const connection = await ownerDb.connection.findFirstOrThrow({ where: { userId }, orderBy: { createdAt: 'desc' } });
    const sealed = await vault.getSecret({
      tenantId: connection.tenantId,
      owner: `connection:${connection.id}`,
      purpose: 'oauth.tokens',
    });
    return (JSON.parse(sealed!.toString('utf8')) as { accessToken: string }).accessToken;
  } finally {
    await Promise.all([ownerDb.$disconnect(), appDb.$disconnect()]);
  }
}

test('Redis restarts during load: clear answers, no duplicate, recovery without restarting processes, every answered call audited', async () => {
  const { person: jay, client } = await connectedMember('jay');
  try {
    await provider.admin('POST', '/admin/api-latency', { ms: 100 });
    const calls = Array.from(
      { length: 20 },
      (_, index) =>
        client.callTool({ name: 'demo.create_note', arguments: { title: `outage-${index}` } }, undefined, {
          timeout: 120_000,
        }) as Promise<CallToolResult>,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    // A real restart: the server stops (every connection drops), stays down 2 s, comes back with its data.
    await redisServer.restart(2_000);
    const results = await Promise.all(calls);
    await provider.admin('POST', '/admin/api-latency', { ms: 0 });
    for (const result of results)
      if (result.isError) expect(textOf(result)).toMatch(/interrupted|try again|unavailable/i);

    // Recovery without restarting anything.
    const after = (await client.callTool({ name: 'demo.list_notes', arguments: {} })) as CallToolResult;
    if (after.isError) throw new Error(textOf(after));
    const titles = (after.structuredContent as { notes: { title: string }[] }).notes
      .map((note) => note.title)
      .filter((title) => title.startsWith('outage-'));
    expect(new Set(titles).size).toBe(titles.length);
    for (const result of results.filter((entry) => !entry.isError))
      expect(titles).toContain((result.structuredContent as { note: { title: string } }).note.title);

    // Every call that got an answer has its audit record (the first refusal and the final list included) — once:
    // the worker, whose answers found the api's subscription down during the restart, records none of them itself
    // (it asks again after 5 s, when the api has subscribed again).
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const audit = await adminCall(
      api.url,
      owner,
      'GET',
      `/api/v1/tenants/${slug}/audit?action=tool.call&actorId=${jay.userId}&limit=100`,
    );
    const { events } = (await audit.json()) as { events: unknown[] };
    expect(events.length).toBe(results.length + 2);
    process.stdout.write(
      `Redis restart: ${results.filter((entry) => !entry.isError).length} of 20 calls succeeded, the rest answered errors\n`,
    );
  } finally {
    await provider.admin('POST', '/admin/api-latency', { ms: 0 });
    await client.close();
  }
}, 180_000);

test('Redis down for longer: calls are told within seconds that they were not run, not held for the outage', async () => {
  const { person: kim, client } = await connectedMember('kim');
  try {
    const writesBefore = (await provider.stats()).writes ?? 0;
    const restarted = redisServer.restart(20_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Without a session: the call gets as far as its rate limits, which need Redis.
    let started = Date.now();
    const refused = await sendToolCall(kim, undefined, 'outage-1', {
      name: 'demo.create_note',
      arguments: { title: 'during the outage' },
    });
    const refusedAfter = Date.now() - started;
    expect(refused.result.isError).toBe(true);
    expect(textOf(refused.result)).toMatch(/was not run\. Try again shortly/);
    expect(refusedAfter).toBeLessThan(6_000);
    // In a session: its record is in Redis too.
    started = Date.now();
    await expect(
      client.callTool({ name: 'demo.create_note', arguments: { title: 'during the outage' } }, undefined, {
        timeout: 60_000,
      }),
    ).rejects.toThrow(/503|try again/i);
    const sessionAfter = Date.now() - started;
    expect(sessionAfter).toBeLessThan(6_000);
    // A new session, and the end of one, are written to Redis: refused within seconds too (503, try again).
    const sessionWrite = async (init: RequestInit) => {
      const begun = Date.now();
      const response = await fetch(endpoint, {
        ...init,
        headers: {
          authorization: `Bearer ${kim.token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          ...(init.headers as Record<string, string>),
        },
      });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), ms: Date.now() - begun };
    };
    const initialized = await sessionWrite({
      method: 'POST',
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'init-during-outage',
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'outage', version: '1' } },
      }),
    });
    const deleted = await sessionWrite({
      method: 'DELETE',
      headers: { 'mcp-session-id': (client.transport as StreamableHTTPClientTransport).sessionId! },
    });
    for (const answer of [initialized, deleted]) {
      expect(answer).toMatchObject({ status: 503, retryAfter: '5' });
      expect(answer.ms).toBeLessThan(7_000);
    }
    await restarted;
    // Back without restarting anything; what was refused never ran.
    const after = (await client.callTool({
      name: 'demo.create_note',
      arguments: { title: 'after' },
    })) as CallToolResult;
    if (after.isError) throw new Error(textOf(after));
    expect(((await provider.stats()).writes ?? 0) - writesBefore).toBe(1);
    const audit = await adminCall(
      api.url,
      owner,
      'GET',
      `/api/v1/tenants/${slug}/audit?action=tool.call&actorId=${kim.userId}&limit=100`,
    );
    const { events } = (await audit.json()) as { events: { metadata: Record<string, unknown> }[] };
    expect(events.map((event) => event.metadata.code)).toContain('unavailable');
    process.stdout.write(
      `Redis down: answered in ${refusedAfter} ms (limits), ${sessionAfter} ms (session), ${initialized.ms} ms (initialize), ${deleted.ms} ms (DELETE)\n`,
    );
  } finally {
    await client.close();
  }
}, 60_000);

test('a call that ran but cannot be recorded: no answer leaves (fail closed), and the client is told so at once', async () => {
  const { person: nora, client } = await connectedMember('nora');
  const ownerDb = createDatabase({ url: testDatabaseUrl(), maxConnections: 1 });
  try {
    const writesBefore = (await provider.stats()).writes ?? 0;
    await ownerDb.$executeRawUnsafe('REVOKE INSERT ON audit_events FROM gatehouse_app');
    const started = Date.now();
    const answer = (await sendToolCall(nora, undefined, 'unrecorded-1', {
      name: 'demo.create_note',
      arguments: { title: 'ran, not recorded' },
    })) as unknown as { id: string; result?: unknown; error?: { code: number; message: string } };
    // No result: a JSON-RPC error in its place, saying the answer is withheld and the tool may have run.
    expect(answer.result).toBeUndefined();
    expect(answer).toMatchObject({ id: 'unrecorded-1', error: { code: -32603 } });
    expect(answer.error!.message).toMatch(/could not record this request.*may have run/);
    expect(JSON.stringify(answer)).not.toContain('ran, not recorded');
    expect(Date.now() - started).toBeLessThan(10_000);
    // It did run, once.
    expect(((await provider.stats()).writes ?? 0) - writesBefore).toBe(1);
  } finally {
    await ownerDb.$executeRawUnsafe('GRANT INSERT ON audit_events TO gatehouse_app');
    await ownerDb.$disconnect();
    await client.close();
  }
}, 60_000);

test('Prometheus metrics: calls by tool and result, latency, queue depth, refreshes; token required, no tenant in labels', async () => {
  expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
  const scrape = async (url: string) => {
    const response = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return response.text();
  };
  const apiMetrics = await scrape(`${api.url}/metrics`);
  expect(apiMetrics).toMatch(
    /gatehouse_tool_calls_total\{tool="demo.list_notes",result="succeeded",service="api"\} [1-9]/,
  );
  expect(apiMetrics).toMatch(
    /gatehouse_tool_calls_total\{tool="demo.list_notes",result="rate_limited",service="api"\} [1-9]/,
  );
  expect(apiMetrics).toMatch(/^gatehouse_tool_call_duration_seconds_count\{.*tool="demo.create_note".*\} [1-9]/m);
  expect(apiMetrics).toMatch(/gatehouse_queue_jobs\{queue="gatehouse-tools",state="completed",service="api"\} [1-9]/);
  expect(apiMetrics).not.toContain(slug);
  const workerMetrics = await scrape(`${worker.url}/metrics`);
  expect(workerMetrics).toContain('# TYPE gatehouse_token_refreshes_total counter');
  // The refused scrape is logged; the successful one is not (every 15 s, it would drown the log).
  const metricsLines = () =>
    api.process
      .output()
      .split('\n')
      .filter((line) => line.includes('"url":"/metrics"'));
  await waitUntil(async () => metricsLines().some((line) => line.includes('"statusCode":401')));
  expect(metricsLines().filter((line) => line.includes('"statusCode":200'))).toEqual([]);
  expect(workerMetrics).toContain('gatehouse_queue_jobs{queue="gatehouse-tools"');
});

test('secrets canary: no provider token, client secret or MCP token in logs, audit, Redis or tool results', async () => {
  // The canaries: every provider token Gatehouse holds for this file's people (read back from the vault), the
  // provider app's client secret, and every MCP access token the clients used.
  const ownerDb = createDatabase({ url: testDatabaseUrl(), maxConnections: 2 });
  const appDb = createDatabase({ url: testAppDatabaseUrl(), maxConnections: 2 });
  const redis = new Redis(redisServer.url);
  try {
    const vault = new Vault(
      LocalKeyring.parse(testVaultKeys()),
      new DataKeyRepository(appDb),
      new SecretRepository(appDb),
    );
    const connections = await ownerDb.connection.findMany();
    const canaries = [CLIENT_SECRET, ...memberTokens];
    for (const connection of connections) {
      const sealed = await vault.getSecret({
        tenantId: connection.tenantId,
        owner: `connection:${connection.id}`,
        purpose: 'oauth.tokens',
      });
      if (!sealed) continue;
      const tokens = JSON.parse(sealed.toString('utf8')) as { accessToken: string; refreshToken?: string };
      canaries.push(tokens.accessToken, ...(tokens.refreshToken ? [tokens.refreshToken] : []));
    }
    expect(canaries.length).toBeGreaterThan(memberTokens.length + 5);

    const audit = (await ownerDb.auditEvent.findMany()).map((event) => JSON.stringify(event.metadata)).join('\n');
    const redisDump: string[] = [];
    for (const key of await redis.keys(`${testPrefix()}:*`)) {
      const type = await redis.type(key);
      if (type === 'string') redisDump.push((await redis.get(key)) ?? '');
      else if (type === 'hash') redisDump.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === 'list') redisDump.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === 'zset') redisDump.push(JSON.stringify(await redis.zrange(key, '0', '-1')));
      else if (type === 'stream') redisDump.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    }
    const places: Record<string, string> = {
      'api log': api.process.output(),
      'worker logs': workers.map((started) => started.process.output()).join('\n'),
      'demo provider log': provider.process.output(),
      'audit metadata': audit,
      redis: redisDump.join('\n'),
      'tool results and MCP errors': JSON.stringify(toolResults),
      traces: JSON.stringify(collector.spans),
    };
    expect(toolResults.length).toBeGreaterThan(50);
    for (const [place, text] of Object.entries(places))
      for (const canary of canaries) if (text.includes(canary)) throw new Error(`a secret leaked into the ${place}`);
  } finally {
    redis.disconnect();
    await Promise.all([ownerDb.$disconnect(), appDb.$disconnect()]);
  }
});
