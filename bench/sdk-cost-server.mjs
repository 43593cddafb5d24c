// Server for mcp-sdk-cost.bench.mjs: answers tools/call for one tool with a fixed result, four ways (SDK_COST_MODE):
//   sdk      — a fresh McpServer and the SDK's stateless Streamable HTTP transport per request: (b) of
//              tool-call.bench.mjs;
//   lazy     — the same, but the server's JSON Schema validator (Ajv, which the SDK builds for every server) is built
//              on first use, as Gatehouse's api does (packages/mcp LazyValidator): what Ajv's setup costs;
//   minimal  — lazy's server behind a minimal Node transport (SSE written straight to the response): what the SDK's
//              transport (web-standard Request/Response and streams) costs;
//   raw      — the JSON-RPC answer written directly: the HTTP floor.
// Not a server to copy: `minimal` and `raw` skip the transport's header and message validation.
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

const mode = process.env.SDK_COST_MODE ?? 'sdk';
const notes = { notes: [{ id: 'n1', title: 'a note', body: 'its body' }] };
const result = () => ({ content: [{ type: 'text', text: JSON.stringify(notes) }], structuredContent: notes });

let ajv;
const lazyValidator = {
  getValidator(schema) {
    ajv ??= new AjvJsonSchemaValidator();
    return ajv.getValidator(schema);
  },
};

function freshServer() {
  const server = new McpServer(
    { name: 'baseline', version: '1.0.0' },
    mode === 'sdk' ? {} : { jsonSchemaValidator: lazyValidator },
  );
  server.registerTool('list_notes', { description: 'Lists notes' }, async () => result());
  return server;
}

const event = (message) => `event: message\ndata: ${JSON.stringify(message)}\n\n`;

const http = createServer(async (req, res) => {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (mode === 'raw') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.end(event({ jsonrpc: '2.0', id: body.id, result: result() }));
    return;
  }
  const server = freshServer();
  if (mode === 'minimal') {
    const transport = {
      async start() {},
      async close() {
        this.onclose?.();
      },
      async send(message) {
        if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.end(event(message));
      },
    };
    res.on('close', () => void server.close());
    await server.connect(transport);
    transport.onmessage(body, { requestInfo: { headers: req.headers } });
    return;
  }
  const transport = new StreamableHTTPServerTransport({});
  res.on('close', () => {
    void transport.close();
    void server.close();
  });
  await server.connect(transport);
  await transport.handleRequest(req, res, body);
});
http.listen(0, '127.0.0.1', () => process.stdout.write(`${http.address().port}\n`));
