// Baseline (b) for tool-call.bench.mjs: a bare MCP SDK Streamable-HTTP server (fresh server + stateless transport per
// request) whose one tool calls the same downstream as Gatehouse's demo.list_notes, with a fixed token: no auth,
// no queue, no database. DOWNSTREAM_URL and DOWNSTREAM_TOKEN come from the benchmark.
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

const downstream = `${process.env.DOWNSTREAM_URL}/api/notes`;
const authorization = `Bearer ${process.env.DOWNSTREAM_TOKEN}`;

const http = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const server = new McpServer({ name: 'baseline', version: '1.0.0' });
  server.registerTool('list_notes', { description: 'Lists notes' }, async () => {
    const response = await fetch(downstream, { headers: { authorization, accept: 'application/json' } });
    const notes = await response.json();
    return { content: [{ type: 'text', text: JSON.stringify(notes) }], structuredContent: notes };
  });
  const transport = new StreamableHTTPServerTransport({});
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString('utf8')));
});
http.listen(0, '127.0.0.1', () => process.stdout.write(`${http.address().port}\n`));
