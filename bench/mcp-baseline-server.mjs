// Baseline for mcp-endpoint.bench.mjs: the MCP SDK alone, as thin as an MCP endpoint gets — a fresh server and
// stateless Streamable HTTP transport per request (as the SDK recommends), one tool, no auth, no database.
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const http = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const server = new McpServer({ name: 'baseline', version: '1.0.0' });
  server.registerTool('test_simple_text', { description: 'Returns simple text' }, async () => ({
    content: [{ type: 'text', text: 'This is a simple text response for testing.' }],
  }));
  const transport = new StreamableHTTPServerTransport({});
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString('utf8')));
});
http.listen(0, '127.0.0.1', () => process.stdout.write(`${http.address().port}\n`));
