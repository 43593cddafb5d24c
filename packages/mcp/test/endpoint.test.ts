/**
 * The per-request model end to end, with the SDK client over HTTP against the harness: what a session keeps
 * between requests, and how answers and cancellations find the instance that waits for them.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import { elicitationCompleteNotification, toolListChangedNotification } from '../src/index.js';
import { startConformanceHarness, type ConformanceHarness } from './conformance-harness.js';

let harness: ConformanceHarness;
const clients: Client[] = [];

// A lost answer or cancellation shows as a wait that never ends; fail well before the SDK's 60 s request timeout.
const WAIT = 10_000;

beforeAll(async () => {
  harness = await startConformanceHarness();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  await harness.close();
});

async function connect(): Promise<{ client: Client; sessionId: string }> {
  const client = new Client({ name: 'endpoint-test', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  const transport = new StreamableHTTPClientTransport(new URL(harness.url));
  await client.connect(transport);
  clients.push(client);
  if (transport.sessionId === undefined) throw new Error('no Mcp-Session-Id issued on initialize');
  return { client, sessionId: transport.sessionId };
}

function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(harness.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

/** A standalone GET stream, read chunk by chunk. */
async function openStream(sessionId: string) {
  const response = await fetch(harness.url, { headers: { Accept: 'text/event-stream', 'mcp-session-id': sessionId } });
  expect(response.status).toBe(200);
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  return {
    response,
    next: async () => (await reader.read()).value ?? '',
    /** Everything until the server ends the stream. */
    rest: async () => {
      let all = '';
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) all += chunk.value;
      return all;
    },
    cancel: () => void reader.cancel(),
  };
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

function text(result: unknown): string {
  const first = (result as CallToolResult).content[0];
  return first?.type === 'text' ? first.text : '';
}

describe('MCP endpoint, one server instance per request', () => {
  it(
    'routes each elicitation answer to its own waiting call, even when two wait at once',
    async () => {
      const { client } = await connect();
      let releaseFirst: () => void = () => undefined;
      const secondAnswered = new Promise<void>((resolve) => (releaseFirst = resolve));
      client.setRequestHandler(ElicitRequestSchema, async (request) => {
        const who = request.params.message;
        // Both calls are waiting here before either is answered, and they are answered in reverse order.
        if (who === 'first') await secondAnswered;
        else setTimeout(releaseFirst, 20);
        return { action: 'accept', content: { username: who, email: `${who}@example.com` } };
      });

      const [first, second] = await Promise.all(
        ['first', 'second'].map((message) => client.callTool({ name: 'test_elicitation', arguments: { message } })),
      );

      expect(text(first)).toContain('"username":"first"');
      expect(text(second)).toContain('"username":"second"');
      expect(harness.errors).toEqual([]);
    },
    WAIT,
  );

  it(
    'delivers a cancellation to the instance running the call, which withdraws its own request',
    async () => {
      const { client } = await connect();
      const abort = new AbortController();
      const withdrawn = new Promise<void>((resolve) => {
        client.setRequestHandler(ElicitRequestSchema, (_request, extra) => {
          // The elicitation is on screen: the user gives up on the whole tool call.
          abort.abort('user gave up');
          return new Promise((_, reject) =>
            extra.signal.addEventListener('abort', () => {
              resolve();
              reject(new Error('withdrawn'));
            }),
          );
        });
      });

      await expect(
        client.callTool({ name: 'test_elicitation', arguments: { message: 'Who?' } }, undefined, {
          signal: abort.signal,
        }),
      ).rejects.toThrow();
      await withdrawn;
    },
    WAIT,
  );

  it(
    'keeps the log level set on one request for the tool calls of later requests',
    async () => {
      const { client, sessionId } = await connect();
      const logs: unknown[] = [];
      client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
        logs.push(notification.params.data);
      });

      await client.callTool({ name: 'test_tool_with_logging' });
      await client.setLoggingLevel('error');
      await client.callTool({ name: 'test_tool_with_logging' });

      expect(logs).toEqual(['Tool execution started', 'Tool processing data', 'Tool execution completed']);
      expect(harness.sessions.get(sessionId)?.loggingLevel).toBe('error');
    },
    WAIT,
  );

  it(
    'answers every list on one page, and a cursor it never gave with -32602',
    async () => {
      const { sessionId } = await connect();
      const headers = { 'mcp-protocol-version': '2025-11-25', 'mcp-session-id': sessionId };
      for (const method of ['tools/list', 'resources/list', 'resources/templates/list', 'prompts/list']) {
        const answer = await post({ jsonrpc: '2.0', id: 7, method, params: { cursor: 'page-2' } }, headers);
        expect(answer.status).toBe(200);
        const text = await answer.text();
        expect(JSON.parse(/^data: (.*)$/m.exec(text)![1]!)).toEqual({
          jsonrpc: '2.0',
          id: 7,
          error: { code: -32602, message: 'Invalid params: unknown cursor' },
        });
      }
      const listed = await post({ jsonrpc: '2.0', id: 8, method: 'tools/list', params: {} }, headers);
      expect(await listed.text()).toMatch(/"tools":\[/);
    },
    WAIT,
  );

  it(
    'requires a live session after initialize, and ends it on DELETE',
    async () => {
      const { sessionId } = await connect();
      const list = { jsonrpc: '2.0', id: 2, method: 'tools/list' };
      const versioned = { 'mcp-protocol-version': '2025-11-25' };

      expect((await post(list, versioned)).status).toBe(400);
      expect((await post(list, { ...versioned, 'mcp-session-id': 'no-such-session' })).status).toBe(404);
      expect((await post(list, { ...versioned, 'mcp-session-id': sessionId })).status).toBe(200);
      const sessionless = await fetch(harness.url, { headers: { Accept: 'text/event-stream' } });
      expect(sessionless.status).toBe(405);
      expect(sessionless.headers.get('allow')).toBe('GET, POST, DELETE');
      const stream = await openStream(sessionId);
      expect((await fetch(harness.url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } })).status).toBe(
        204,
      );
      // Deleting the session ends its stream.
      expect(await stream.rest()).toBe('');
      expect(harness.streams.has(sessionId)).toBe(false);
      expect((await post(list, { ...versioned, 'mcp-session-id': sessionId })).status).toBe(404);
      expect(
        (await fetch(harness.url, { headers: { Accept: 'text/event-stream', 'mcp-session-id': sessionId } })).status,
      ).toBe(404);
    },
    WAIT,
  );

  it(
    'keeps one standalone stream per session: messages go to the newest, which replaces the old one',
    async () => {
      const { sessionId } = await connect();
      const wrongAccept = await fetch(harness.url, {
        headers: { Accept: 'application/json', 'mcp-session-id': sessionId },
      });
      expect(wrongAccept.status).toBe(406);

      const first = await openStream(sessionId);
      expect(first.response.headers.get('content-type')).toBe('text/event-stream');
      const second = await openStream(sessionId);
      expect(await first.rest()).toBe('');
      expect(harness.streams.send(sessionId, { message: elicitationCompleteNotification('e-1') })).toBe(true);
      expect(await second.next()).toBe(
        'event: message\ndata: {"jsonrpc":"2.0","method":"notifications/elicitation/complete","params":{"elicitationId":"e-1"}}\n\n',
      );
      second.cancel();
      await waitUntil(() => !harness.streams.has(sessionId));
    },
    WAIT,
  );

  it(
    "tells every session of a server that its tool list changed, on the SDK client's own GET stream",
    async () => {
      const changed = [0, 0];
      const sessions = await Promise.all([0, 1].map(() => connect()));
      sessions.forEach(({ client }, index) =>
        client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
          changed[index]!++;
        }),
      );
      // The SDK client opens the stream itself after initialize.
      await waitUntil(() => sessions.every(({ sessionId }) => harness.streams.has(sessionId)));
      expect(sessions[0]!.client.getServerCapabilities()?.tools).toEqual({ listChanged: true });

      const ofServer = harness.streams.sessionsOf(harness.url);
      expect(ofServer.sort()).toEqual(sessions.map(({ sessionId }) => sessionId).sort());
      for (const sessionId of ofServer)
        expect(harness.streams.send(sessionId, { message: toolListChangedNotification() })).toBe(true);
      await waitUntil(() => changed.every((count) => count === 1));
      expect(harness.streams.sessionsOf('http://127.0.0.1:1/other')).toEqual([]);
    },
    WAIT,
  );

  it(
    'refuses requests for another host before creating a session (DNS rebinding)',
    async () => {
      const sessions = harness.sessions.size;
      const response = await post(
        { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} },
        { Origin: 'http://evil.example.com' },
      );

      expect(response.status).toBe(403);
      expect(harness.sessions.size).toBe(sessions);
    },
    WAIT,
  );

  it(
    'releases every relay registration once the responses are closed',
    async () => {
      await Promise.all(clients.splice(0).map((client) => client.close()));
      for (let waited = 0; harness.relay.size > 0 && waited < 1000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }

      expect(harness.relay.size).toBe(0);
    },
    WAIT,
  );
});
