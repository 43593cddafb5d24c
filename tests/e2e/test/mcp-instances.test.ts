/**
 * One MCP session served by two api instances: both on the same database and Redis, behind a round-robin TCP
 * front whose URL is their PUBLIC_API_URL (so a token's audience is the same endpoint URL on both). Every request
 * of the MCP client opens a new connection, so consecutive requests of one session land on different processes;
 * the front's record of each connection proves which process served what.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LATEST_PROTOCOL_VERSION,
} from '@modelcontextprotocol/sdk/types.js';
import { freePort, waitFor } from '@gatehouse/testing';
import { fetchOnFreshConnection, RoundRobinFront, type Exchange } from './load-balancer.js';
import { accessTokenFor, adminCall, registerClient, signUp, tenantWithServer, type Member } from './oauth-flow.js';
import { startApiProcess, type ApiProcess } from './stack.js';

const REDIRECT = 'http://127.0.0.1:9/callback';

let front: RoundRobinFront;
let apis: ApiProcess[] = [];
let endpoint: string;
let alice: Member;
let aliceToken: string;
let bobToken: string;
let otherClientToken: string;

async function startInstances(count: number): Promise<ApiProcess[]> {
  const ports = await Promise.all(Array.from({ length: count }, () => freePort()));
  // Booting together, as a deployment's replicas do: the first to create the authorization server's keys wins.
  const started = await Promise.allSettled(ports.map((port) => startApiProcess({ PUBLIC_API_URL: front.url }, port)));
  const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) {
    await Promise.all(running.map((api) => api.stop()));
    throw failed.reason;
  }
  front.route(ports);
  return running;
}

/** Adds `member` to the tenant of `endpoint` as a plain member (invitation, accepted). */
async function addMember(owner: Member, member: Member): Promise<void> {
  const tenant = new URL(endpoint).pathname.split('/')[2]!;
  const invited = await adminCall(front.url, owner, 'POST', `/api/v1/tenants/${tenant}/invitations`, {
    email: member.email,
    role: 'member',
  });
  expect(invited.status).toBe(201);
  const { token } = (await invited.json()) as { token: string };
  expect((await adminCall(front.url, member, 'POST', '/api/v1/invitations/accept', { tenant, token })).status).toBe(
    200,
  );
}

beforeAll(async () => {
  front = await RoundRobinFront.start();
  apis = await startInstances(2);
  // Sign-up, consent and the token exchange also go through the front, so they cross instances too.
  alice = await signUp(front.url, 'alice');
  const bob = await signUp(front.url, 'bob');
  endpoint = await tenantWithServer(front.url, alice, 'replicas');
  await addMember(alice, bob);
  const [clientId, otherClientId] = await Promise.all([
    registerClient(front.url, REDIRECT),
    registerClient(front.url, REDIRECT),
  ]);
  aliceToken = await accessTokenFor(front.url, clientId, REDIRECT, alice, endpoint);
  bobToken = await accessTokenFor(front.url, clientId, REDIRECT, bob, endpoint);
  otherClientToken = await accessTokenFor(front.url, otherClientId, REDIRECT, alice, endpoint);
}, 90_000);

afterAll(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await front?.close();
});

type SamplingHandler = (prompt: string, signal: AbortSignal) => Promise<string>;

const echo: SamplingHandler = async (prompt) => `echo of "${prompt}"`;

/**
 * An MCP SDK client with sampling and form elicitation, connected with `token` on fresh connections. Returns once
 * the session is open and the standalone GET stream the client opens by itself (without waiting) is established,
 * so what follows is strictly sequential and alternates between the instances; `mark` is the front's first
 * connection of this session. The client does not reopen a stream the server ends (when the session is deleted),
 * so no GET shows up later in the exchanges.
 */
async function openSession(token: string, sample: SamplingHandler = echo) {
  const client = new Client(
    { name: 'e2e-replicas', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: { form: {} } } },
  );
  client.setRequestHandler(CreateMessageRequestSchema, async (request, extra) => {
    const content = request.params.messages[0]?.content;
    const prompt = content && 'text' in content ? content.text : '';
    const text = await sample(prompt, extra.signal);
    return { role: 'assistant', content: { type: 'text', text }, model: 'e2e-echo' };
  });
  client.setRequestHandler(ElicitRequestSchema, async () => ({
    action: 'accept',
    content: { username: 'ada', email: 'ada@example.com' },
  }));
  const transport = new StreamableHTTPClientTransport(new URL(endpoint), {
    fetch: fetchOnFreshConnection,
    requestInit: { headers: { authorization: `Bearer ${token}` } },
    reconnectionOptions: {
      maxRetries: 0,
      initialReconnectionDelay: 1_000,
      maxReconnectionDelay: 1_000,
      reconnectionDelayGrowFactor: 1,
    },
  });
  const mark = front.connections.length;
  await client.connect(transport);
  await waitFor('the GET stream', async () =>
    front.exchanges(mark).some((exchange) => exchange.method === 'GET' && exchange.status === 200) ? true : undefined,
  );
  return { client, transport, sessionId: transport.sessionId!, mark };
}

/** A raw MCP POST (tools/list) with a session id, on a connection of its own. */
async function listWithSession(token: string, sessionId: string): Promise<{ status: number; body: string }> {
  const response = await fetchOnFreshConnection(endpoint, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': LATEST_PROTOCOL_VERSION,
      'mcp-session-id': sessionId,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  return { status: response.status, body: await response.text() };
}

/** What an exchange was, in the words of the protocol: `initialize`, `tools/call test_sampling`, `answer`, … */
function kindOf(exchange: Exchange): string {
  if (exchange.method !== 'POST') return exchange.method;
  const message = JSON.parse(exchange.body) as { method?: string; params?: { name?: string }; result?: unknown };
  if (message.method === 'tools/call') return `tools/call ${message.params?.name}`;
  return message.method ?? (message.result !== undefined ? 'answer' : 'error answer');
}

/** The exchanges of the MCP endpoint since `mark`, once every one of them has finished. */
async function finishedExchanges(mark: number, expected: number): Promise<Exchange[]> {
  const path = new URL(endpoint).pathname;
  return waitFor('the front to see every connection close', async () => {
    const exchanges = front.exchanges(mark).filter((exchange) => exchange.path === path);
    return exchanges.length >= expected && exchanges.every((exchange) => exchange.closed) ? exchanges : undefined;
  });
}

test('one session is served by both instances: initialize, list, call, sampling and elicitation, delete', async () => {
  const { client, transport, sessionId, mark } = await openSession(aliceToken);
  expect(sessionId).toMatch(/^[A-Za-z0-9_-]{43}$/);

  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['test_simple_text', 'test_sampling']));
  expect(await client.callTool({ name: 'test_simple_text', arguments: {} })).toEqual({
    content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
  });
  // The server's question goes out on the tool call's SSE stream; the answer is a new POST, which the front sends
  // to the other instance, and the Redis relay carries it to the instance whose tool waits.
  expect(await client.callTool({ name: 'test_sampling', arguments: { prompt: 'What is 2+2?' } })).toEqual({
    content: [{ type: 'text', text: 'LLM response: echo of "What is 2+2?"' }],
  });
  expect(await client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } })).toEqual({
    content: [
      { type: 'text', text: 'User response: action=accept, content={"username":"ada","email":"ada@example.com"}' },
    ],
  });

  await transport.terminateSession();
  expect(transport.sessionId).toBeUndefined();
  // The DELETE reached the instance that does not hold the session's GET stream; that one ended it all the same.
  const stream = await waitFor('the GET stream to end', async () =>
    front.exchanges(mark).find((exchange) => exchange.method === 'GET' && exchange.closed),
  );
  const afterDelete = [await listWithSession(aliceToken, sessionId), await listWithSession(aliceToken, sessionId)];
  expect(afterDelete.map((response) => response.status)).toEqual([404, 404]);
  expect(afterDelete[0]!.body).toContain('Session not found');
  await client.close();

  const exchanges = await finishedExchanges(mark, 12);
  // Every request had a connection of its own, and the front alternated them between the two processes.
  expect(exchanges.every((exchange) => exchange.extraBytes === 0)).toBe(true);
  expect(exchanges.map(kindOf)).toEqual([
    'initialize',
    'notifications/initialized',
    'GET',
    'tools/list',
    'tools/call test_simple_text',
    'tools/call test_sampling',
    'answer',
    'tools/call test_elicitation',
    'answer',
    'DELETE',
    'tools/list',
    'tools/list',
  ]);
  expect([0, 1].map((backend) => exchanges.filter((exchange) => exchange.backend === backend).length)).toEqual([6, 6]);
  const [initialize, , , list, , sampling, sampled, eliciting, elicited, deleted, gone, goneToo] = exchanges;
  // One instance issued the session; the other served its next request.
  expect(initialize!.responseHeaders['mcp-session-id']).toBe(sessionId);
  expect(list!.backend).not.toBe(initialize!.backend);
  // Each answer reached an instance other than the one whose tool waited for it, and was accepted there.
  expect(sampled!.backend).not.toBe(sampling!.backend);
  expect(elicited!.backend).not.toBe(eliciting!.backend);
  expect([sampled!.status, elicited!.status, deleted!.status]).toEqual([202, 202, 204]);
  expect(stream.backend).not.toBe(deleted!.backend);
  expect(stream.responseHeaders['content-type']).toBe('text/event-stream');
  // The deleted session is gone on both instances.
  expect(gone!.backend).not.toBe(goneToo!.backend);
}, 60_000);

test('a session id answers only to its own user and client, on either instance', async () => {
  const { client, transport, sessionId } = await openSession(aliceToken);
  const mark = front.connections.length;

  const foreign = [
    await listWithSession(bobToken, sessionId),
    await listWithSession(bobToken, sessionId),
    await listWithSession(otherClientToken, sessionId),
    await listWithSession(otherClientToken, sessionId),
  ];
  expect(foreign.map((response) => response.status)).toEqual([404, 404, 404, 404]);
  expect(foreign.every((response) => response.body.includes('Session not found'))).toBe(true);
  const served = front.exchanges(mark).map((exchange) => exchange.backend);
  expect(new Set(served.slice(0, 2)).size).toBe(2);
  expect(new Set(served.slice(2, 4)).size).toBe(2);

  // The session itself is untouched: its owner still uses it on both instances.
  const own = [await listWithSession(aliceToken, sessionId), await listWithSession(aliceToken, sessionId)];
  expect(own.map((response) => response.status)).toEqual([200, 200]);
  expect(own[0]!.body).toContain('test_simple_text');
  await transport.terminateSession();
  await client.close();
}, 60_000);

test('cancelling a tool call that waits for sampling reaches the instance running it', async () => {
  const question = { asked: false, withdrawn: false };
  // The "model" never answers: the question stays open until the server withdraws it.
  const { client, transport } = await openSession(aliceToken, (_prompt, signal) => {
    question.asked = true;
    signal.addEventListener('abort', () => (question.withdrawn = true));
    return new Promise<string>(() => {});
  });
  const mark = front.connections.length;

  const cancel = new AbortController();
  const call = client.callTool({ name: 'test_sampling', arguments: { prompt: 'never answered' } }, undefined, {
    signal: cancel.signal,
  });
  await waitFor('the sampling request', async () => (question.asked ? true : undefined));
  cancel.abort('the user changed their mind');
  await expect(call).rejects.toThrow(/changed their mind/);
  // The client's notifications/cancelled went to the other instance; the one running the tool got it over Redis,
  // stopped the tool and withdrew its sampling request on the call's stream.
  await waitFor('the server to withdraw its sampling request', async () => (question.withdrawn ? true : undefined));

  // A cancelled request gets no response, yet the instance running it ends the call's stream: both connections
  // close without the client hanging up, so nothing of the cancelled call is left holding resources.
  const exchanges = await waitFor('both streams to end', async () => {
    const seen = front.exchanges(mark);
    return seen.length === 2 && seen.every((exchange) => exchange.closed) ? seen : undefined;
  });
  expect(exchanges.map(kindOf)).toEqual(['tools/call test_sampling', 'notifications/cancelled']);
  expect(exchanges[1]!.backend).not.toBe(exchanges[0]!.backend);
  expect(exchanges[1]!.status).toBe(202);

  // The session carries on.
  expect(await client.callTool({ name: 'test_simple_text', arguments: {} })).toEqual({
    content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
  });
  await transport.terminateSession();
  await client.close();
}, 60_000);
