/**
 * A tiny MCP endpoint over node:http that serves @gatehouse/mcp the way the api does: a fresh server and transport
 * per request, the session (issued on initialize as `Mcp-Session-Id`) kept outside the server and restored into
 * every request. The Map below stands in for the api's Redis; nothing else here is test-only.
 *
 * Run alone (e.g. to point another suite at it): `pnpm run harness [port]`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import {
  acceptsEventStream,
  applySessionChange,
  checkOrigin,
  InProcessMessageRelay,
  McpSessionStreams,
  serveMcpRequest,
  sessionFromInitialize,
  type McpClientSession,
  type McpServerContext,
} from '../src/index.js';

export const CONFORMANCE_CONTEXT: McpServerContext = {
  tenantSlug: 'acme',
  serverSlug: 'conformance',
  title: 'Conformance fixtures',
  toolkits: ['conformance'],
  tools: [],
};

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface ConformanceHarness {
  readonly url: string;
  readonly sessions: Map<string, McpClientSession>;
  readonly relay: InProcessMessageRelay;
  /** The sessions' standalone GET streams: what the api's notifications are written to. */
  readonly streams: McpSessionStreams;
  /** Tool and protocol errors the client may not have seen, for a failing test to print. */
  readonly errors: string[];
  close(): Promise<void>;
}

export async function startConformanceHarness(port = 0, context = CONFORMANCE_CONTEXT): Promise<ConformanceHarness> {
  const sessions = new Map<string, McpClientSession>();
  const relay = new InProcessMessageRelay();
  const streams = new McpSessionStreams();
  const errors: string[] = [];
  let hosts: string[] = [];
  let url = '';

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      errors.push(`request failed: ${String(error)}`);
      if (!res.headersSent) reply(res, 500, -32603, 'Internal error');
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/mcp') return reply(res, 404, -32601, 'Not found');
    const refusal = checkOrigin(
      { allowedHosts: hosts, allowedOrigins: hosts.map((host) => `http://${host}`) },
      { host: req.headers.host, origin: req.headers.origin },
    );
    if (refusal) return reply(res, 403, -32000, refusal);
    const sessionId = header(req, 'mcp-session-id');

    if (req.method === 'DELETE') {
      if (sessionId === undefined) return reply(res, 400, -32000, 'Mcp-Session-Id header is required');
      if (!sessions.delete(sessionId)) return reply(res, 404, -32001, 'Session not found');
      streams.close(sessionId);
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'GET') {
      // The standalone stream belongs to a session; without one there is nothing to listen to (405, which clients
      // take as "no stream here").
      res.setHeader('Allow', 'GET, POST, DELETE');
      if (sessionId === undefined) return reply(res, 405, -32000, 'Method not allowed without Mcp-Session-Id');
      if (!sessions.has(sessionId)) return reply(res, 404, -32001, 'Session not found');
      if (!acceptsEventStream(req.headers.accept)) return reply(res, 406, -32000, 'Accept text/event-stream');
      streams.open(res, { sessionId, resource: url });
      return;
    }
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'GET, POST, DELETE');
      return reply(res, 405, -32000, 'Method not allowed');
    }

    const body = await readJson(req);
    if (body === undefined) return reply(res, 400, -32700, 'Parse error');
    const initialize = (Array.isArray(body) ? body : [body]).find(isInitializeRequest);

    let session: McpClientSession | undefined;
    let id: string | undefined;
    if (initialize) {
      session = sessionFromInitialize(initialize.params);
      if (session) {
        // Stored before answering: the client's next request may come as soon as it reads this response.
        id = randomUUID();
        sessions.set(id, session);
        res.setHeader('Mcp-Session-Id', id);
      }
    } else {
      if (sessionId === undefined) return reply(res, 400, -32000, 'Mcp-Session-Id header is required');
      session = sessions.get(sessionId);
      if (!session) return reply(res, 404, -32001, 'Session not found');
      id = sessionId;
    }

    await serveMcpRequest(req, res, {
      context,
      sessionId: id,
      session,
      relay,
      parsedBody: body,
      onSessionChange: (change) => {
        const current = id === undefined ? undefined : sessions.get(id);
        if (id !== undefined && current) sessions.set(id, applySessionChange(current, change));
      },
      onToolError: (error, tool) => errors.push(`${tool}: ${String(error)}`),
      onProtocolError: (error) => errors.push(`protocol: ${error.message}`),
    });
  }

  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const bound = (http.address() as AddressInfo).port;
  hosts = [`127.0.0.1:${bound}`, `localhost:${bound}`];
  url = `http://127.0.0.1:${bound}/mcp`;
  return {
    url,
    sessions,
    relay,
    streams,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        streams.closeAll();
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function reply(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const harness = await startConformanceHarness(Number(process.argv[2] ?? 0));
  process.stdout.write(`conformance harness listening on ${harness.url}\n`);
}
