import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer, type McpServerContext } from './mcp-server.factory.js';
import type { McpSessionChange } from './client-session.js';

function context(selection: Partial<McpServerContext>): McpServerContext {
  return { tenantSlug: 'acme', serverSlug: 'demo', title: 'Demo', toolkits: [], tools: [], ...selection };
}

async function connect(selection: Partial<McpServerContext>, onSessionChange?: (c: McpSessionChange) => void) {
  const server = createMcpServer(context(selection), { onSessionChange });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'unit', version: '1.0.0' }, { capabilities: {} });
  await client.connect(clientSide);
  return client;
}

function text(result: Awaited<ReturnType<Client['callTool']>>): string {
  const first = (result as CallToolResult).content[0];
  return first?.type === 'text' ? first.text : '';
}

describe('createMcpServer', () => {
  it('exposes only the single tool selected, and neither resources nor prompts', async () => {
    const client = await connect({ tools: ['conformance.test_simple_text'] });

    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['test_simple_text']);
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, logging: {} });
    expect(client.getServerCapabilities()?.resources).toBeUndefined();
    expect(client.getServerCapabilities()?.prompts).toBeUndefined();
    expect(text(await client.callTool({ name: 'test_simple_text' }))).toBe(
      'This is a simple text response for testing.',
    );
    await expect(client.callTool({ name: 'test_image_content' })).rejects.toMatchObject({
      code: ErrorCode.InvalidParams,
      message: expect.stringContaining('Unknown tool: test_image_content'),
    });
  });

  it('exposes a whole toolkit: all tools, resources, templates, prompts and completions', async () => {
    const client = await connect({ toolkits: ['conformance'] });

    expect((await client.listTools()).tools).toHaveLength(14);
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual([
      'test://static-text',
      'test://static-binary',
      'test://watched-resource',
    ]);
    expect((await client.listResourceTemplates()).resourceTemplates[0]?.uriTemplate).toBe('test://template/{id}/data');
    expect((await client.readResource({ uri: 'test://template/42/data' })).contents[0]).toMatchObject({
      uri: 'test://template/42/data',
      text: JSON.stringify({ id: '42', templateTest: true, data: 'Data for ID: 42' }),
    });
    expect((await client.listPrompts()).prompts).toHaveLength(4);
    const completion = await client.complete({
      ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
      argument: { name: 'arg1', value: 'pa' },
    });
    expect(completion.completion.values).toEqual(['paris', 'park', 'party']);
    // A changed tool selection is announced on the session's GET stream; resource and prompt changes are not.
    expect(client.getServerCapabilities()).toMatchObject({
      tools: { listChanged: true },
      resources: { subscribe: true, listChanged: false },
      prompts: { listChanged: false },
    });
  });

  it('advertises JSON Schema 2020-12 input schemas with $defs and additionalProperties kept', async () => {
    const client = await connect({ tools: ['conformance.json_schema_2020_12_tool', 'conformance.test_sampling'] });
    const { tools } = await client.listTools();
    const jsonSchemaTool = tools.find((tool) => tool.name === 'json_schema_2020_12_tool');
    const sampling = tools.find((tool) => tool.name === 'test_sampling');

    expect(jsonSchemaTool?.inputSchema).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
      additionalProperties: false,
      $defs: { address: { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } } } },
    });
    expect(sampling?.inputSchema).toMatchObject({ required: ['prompt'] });
  });

  it('answers invalid arguments and tool failures as isError results, not protocol errors', async () => {
    const client = await connect({ toolkits: ['conformance'] });

    const invalid = await client.callTool({ name: 'json_schema_2020_12_tool', arguments: { name: 7, extra: true } });
    expect(invalid.isError).toBe(true);
    expect(text(invalid)).toContain('Invalid arguments for json_schema_2020_12_tool');

    const failed = await client.callTool({ name: 'test_error_handling' });
    expect(failed).toMatchObject({ isError: true });
    expect(text(failed)).toBe('This tool intentionally returns an error for testing');
  });

  it('refuses sampling and elicitation when the client did not declare them', async () => {
    const client = await connect({ toolkits: ['conformance'] });

    const sampling = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'hi' } });
    expect(sampling.isError).toBe(true);
    expect(text(sampling)).toBe('The client does not support sampling');
    const elicitation = await client.callTool({ name: 'test_elicitation', arguments: { message: 'hi' } });
    expect(text(elicitation)).toBe('The client does not support form elicitation');
  });

  it('reports session changes and accepts subscriptions only to resources it serves', async () => {
    const changes: McpSessionChange[] = [];
    const client = await connect({ toolkits: ['conformance'] }, (change) => {
      changes.push(change);
    });

    await client.setLoggingLevel('warning');
    await client.subscribeResource({ uri: 'test://watched-resource' });
    await client.subscribeResource({ uri: 'test://template/7/data' });
    await client.unsubscribeResource({ uri: 'test://watched-resource' });
    await expect(client.subscribeResource({ uri: 'file:///etc/passwd' })).rejects.toBeInstanceOf(McpError);

    expect(changes).toEqual([
      { type: 'logging_level', level: 'warning' },
      { type: 'subscribed', uri: 'test://watched-resource' },
      { type: 'subscribed', uri: 'test://template/7/data' },
      { type: 'unsubscribed', uri: 'test://watched-resource' },
    ]);
  });

  it('names the server after its tenant and slug', async () => {
    const client = await connect({});

    expect(client.getServerVersion()).toMatchObject({ name: 'gatehouse/acme/demo', title: 'Demo' });
    expect((await client.listTools()).tools).toEqual([]);
  });
});
