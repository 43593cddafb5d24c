/**
 * `McpSessionStreams` over real HTTP: what a client of a standalone GET stream sees (headers, keep-alive comments,
 * events) and that a stream is forgotten as soon as its client leaves.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { acceptsEventStream, McpSessionStreams, toolListChangedNotification } from '../src/index.js';

let http: Server;
let url: string;
const streams = new McpSessionStreams({ keepAliveMs: 30 });
const closed: string[] = [];

beforeAll(async () => {
  http = createServer((req, res) => {
    const sessionId = new URL(req.url ?? '/', 'http://localhost').searchParams.get('session') ?? 'none';
    streams.open(res, { sessionId, resource: 'https://gh.example/t/acme/mcp/main' }, () => closed.push(sessionId));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  streams.closeAll();
  await new Promise((resolve) => http.close(resolve));
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('McpSessionStreams', () => {
  it('keeps an idle stream alive with comments, writes events, and forgets it when the client leaves', async () => {
    const response = await fetch(`${url}?session=s1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toMatch(/^(: keep-alive\n\n)+$/);

    expect(streams.sendToResource('https://gh.example/t/acme/mcp/main', toolListChangedNotification())).toBe(1);
    let seen = '';
    while (!seen.includes('list_changed')) seen += (await reader.read()).value ?? '';
    expect(seen).toContain('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n\n');

    await reader.cancel();
    await waitUntil(() => !streams.has('s1'));
    expect(closed).toEqual(['s1']);
    expect(streams.send('s1', toolListChangedNotification())).toBe(false);
    expect(streams.sendToResource('https://gh.example/t/acme/mcp/main', toolListChangedNotification())).toBe(0);
  });

  it('reads Accept the way Streamable HTTP needs it', () => {
    expect(acceptsEventStream('text/event-stream')).toBe(true);
    expect(acceptsEventStream('application/json, text/event-stream;q=0.9')).toBe(true);
    expect(acceptsEventStream('*/*')).toBe(true);
    expect(acceptsEventStream('application/json')).toBe(false);
    expect(acceptsEventStream(undefined)).toBe(false);
  });
});
