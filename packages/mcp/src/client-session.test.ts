import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import {
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import {
  applySessionChange,
  MAX_SUBSCRIPTIONS,
  parseClientSession,
  restoreClientSession,
  sessionFromInitialize,
  type McpClientSession,
} from './client-session.js';
import { createMcpServer } from './mcp-server.factory.js';

const initializeParams = {
  protocolVersion: '2025-11-25',
  capabilities: { elicitation: {}, sampling: {} },
  clientInfo: { name: 'inspector', version: '2.12.0' },
};

function session(overrides: Partial<McpClientSession> = {}): McpClientSession {
  const opened = sessionFromInitialize(initializeParams);
  if (!opened) throw new Error('valid initialize params were rejected');
  return { ...opened, ...overrides };
}

/**
 * A fresh server that never sees `initialize` (as on every request after the first), driven with raw JSON-RPC.
 * The fake client accepts every elicitation with `answer`.
 */
async function freshServer(restored: McpClientSession | undefined, answer: Record<string, unknown> = {}) {
  const server = createMcpServer({
    tenantSlug: 'acme',
    serverSlug: 'demo',
    title: 'Demo',
    toolkits: ['conformance'],
    tools: [],
  });
  if (restored) restoreClientSession(server, restored);
  const [client, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const received: JSONRPCMessage[] = [];
  client.onmessage = (message) => {
    received.push(message);
    if (isJSONRPCRequest(message) && message.method === 'elicitation/create') {
      void client.send({ jsonrpc: '2.0', id: message.id, result: { action: 'accept', content: answer } });
    }
  };
  await client.start();
  const call = async (name: string, args: Record<string, unknown> = {}) => {
    await client.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
    for (let waited = 0; waited < 2000; waited += 10) {
      const response = received.find((m) => isJSONRPCResultResponse(m) && m.id === 1);
      if (response && isJSONRPCResultResponse(response)) return response.result;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no answer to tools/call ${name}`);
  };
  return { server, call, received };
}

describe('client session', () => {
  it('opens from initialize params, normalized the way the SDK reads capabilities', () => {
    expect(session()).toEqual({
      protocolVersion: '2025-11-25',
      clientInfo: { name: 'inspector', version: '2.12.0' },
      capabilities: { elicitation: { form: {} }, sampling: {} },
      subscriptions: [],
    });
    expect(sessionFromInitialize({ ...initializeParams, protocolVersion: '2024-01-01' })?.protocolVersion).toBe(
      '2025-11-25',
    );
    expect(sessionFromInitialize({ ...initializeParams, protocolVersion: '2025-06-18' })?.protocolVersion).toBe(
      '2025-06-18',
    );
    expect(sessionFromInitialize({ capabilities: {} })).toBeUndefined();
  });

  it('applies changes without mutating, and survives a JSON round trip through the store', () => {
    const opened = session();
    const changed = [
      { type: 'logging_level', level: 'error' },
      { type: 'subscribed', uri: 'test://a' },
      { type: 'subscribed', uri: 'test://a' },
      { type: 'subscribed', uri: 'test://b' },
      { type: 'unsubscribed', uri: 'test://a' },
    ].reduce((s, change) => applySessionChange(s, change as Parameters<typeof applySessionChange>[1]), opened);

    expect(opened.subscriptions).toEqual([]);
    expect(changed).toMatchObject({ loggingLevel: 'error', subscriptions: ['test://b'] });
    expect(parseClientSession(JSON.parse(JSON.stringify(changed)))).toEqual(changed);
    expect(parseClientSession({ ...changed, loggingLevel: 'verbose' })).toBeUndefined();
    expect(parseClientSession({ ...changed, subscriptions: Array(MAX_SUBSCRIPTIONS + 1).fill('x') })).toBeUndefined();
  });

  it('restores what initialize told an earlier instance into the SDK server', async () => {
    const { server } = await freshServer(session());

    expect(server.server.getClientCapabilities()).toEqual({ elicitation: { form: {} }, sampling: {} });
    expect(server.server.getClientVersion()).toEqual({ name: 'inspector', version: '2.12.0' });
  });

  it('normalizes capabilities a store kept as the client sent them, and reads unparsable ones as none', async () => {
    const raw = await freshServer(undefined);
    restoreClientSession(raw.server, { capabilities: { elicitation: {} } });
    const garbage = await freshServer(undefined);
    restoreClientSession(garbage.server, { capabilities: { elicitation: 'yes please' } });

    expect(raw.server.server.getClientCapabilities()).toEqual({ elicitation: { form: {} } });
    expect(garbage.server.server.getClientCapabilities()).toEqual({});
  });

  it('lets a fresh server elicit from a client it never saw initialize', async () => {
    const answer = { username: 'ada', email: 'ada@example.com' };
    const restored = await freshServer(session(), answer);
    const forgotten = await freshServer(undefined, answer);

    expect(await restored.call('test_elicitation', { message: 'Who are you?' })).toEqual({
      content: [{ type: 'text', text: `User response: action=accept, content=${JSON.stringify(answer)}` }],
    });
    expect(await forgotten.call('test_elicitation', { message: 'Who are you?' })).toMatchObject({
      isError: true,
      content: [{ type: 'text', text: 'The client does not support form elicitation' }],
    });
  });

  it("still validates the client's answer against the requested schema", async () => {
    const { call } = await freshServer(session(), { username: 'ada' });

    expect(await call('test_elicitation', { message: 'Who are you?' })).toMatchObject({ isError: true });
  });

  it('filters tool log messages by the level the client set on an earlier request', async () => {
    const logs = async (restored: McpClientSession) => {
      const { call, received } = await freshServer(restored);
      await call('test_tool_with_logging');
      return received.filter((m) => isJSONRPCNotification(m) && m.method === 'notifications/message').length;
    };

    expect(await logs(session())).toBe(3);
    expect(await logs(session({ loggingLevel: 'info' }))).toBe(3);
    expect(await logs(session({ loggingLevel: 'warning' }))).toBe(0);
  });
});
