import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import * as z from 'zod';
import { defineTool, ToolError } from './tool.definition.js';
import { registerToolHandlers } from './tools.handlers.js';

const leaky = defineTool({
  name: 'leaky',
  description: 'Fails like a bug would',
  input: z.object({ kind: z.enum(['bug', 'domain']) }),
  handler: async ({ kind }) => {
    if (kind === 'domain') throw new ToolError('quota_exceeded', 'Monthly quota exceeded');
    throw new Error('connect ECONNREFUSED postgres://gatehouse:secret@db:5432');
  },
});

describe('tool handlers', () => {
  it('hides unexpected failures from the client but reports them, and shows ToolError messages', async () => {
    const reported: string[] = [];
    const server = new McpServer({ name: 'unit', version: '1.0.0' });
    registerToolHandlers(server, [leaky], { logger: 'unit', onToolError: (error, tool) => reported.push(tool) });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'unit', version: '1.0.0' });
    await client.connect(clientSide);

    expect(await client.callTool({ name: 'leaky', arguments: { kind: 'bug' } })).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'The tool failed unexpectedly' }],
    });
    expect(await client.callTool({ name: 'leaky', arguments: { kind: 'domain' } })).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'Monthly quota exceeded' }],
    });
    expect(reported).toEqual(['leaky']);
  });
});
