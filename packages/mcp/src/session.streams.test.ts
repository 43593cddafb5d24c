import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpSessionStreams } from './session.streams.js';

describe('McpSessionStreams', () => {
  let server: Server;
  let url: string;
  const streams = new McpSessionStreams({ keepAliveMs: 60_000 });
  let until: number | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      streams.open(res, { sessionId: req.url!.slice(1), resource: 'https://gatehouse.example/t/a/mcp/b', until });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    streams.closeAll();
    await new Promise((resolve) => server.close(resolve));
  });

  it('ends a stream when the access token it was opened with expires, and not before', async () => {
    until = Date.now() + 300;
    const started = Date.now();
    const response = await fetch(`${url}/expiring`);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    // Returns once the server ends the stream, having said when to come back.
    expect(await response.text()).toBe('retry: 1000\n\n');
    const lasted = Date.now() - started;
    expect(lasted).toBeGreaterThanOrEqual(250);
    expect(lasted).toBeLessThan(5_000);
    expect(streams.has('expiring')).toBe(false);
  });

  it('keeps a stream without an end open', async () => {
    until = undefined;
    const controller = new AbortController();
    const response = await fetch(`${url}/open`, { signal: controller.signal });
    const reading = response.text().catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(streams.has('open')).toBe(true);
    controller.abort();
    expect(await reading).toBe('aborted');
  });
});
