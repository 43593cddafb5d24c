import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request a fake received: parsed JSON body, the bearer token if any. */
export interface FakeRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  body: unknown;
  token: string | undefined;
}

export type Reply = (status: number, value: unknown, headers?: Record<string, string>) => void;

export interface FakeServer {
  url: string;
  requests: FakeRequest[];
  close(): Promise<void>;
}

/**
 * A local HTTP server standing in for a provider's API in toolkit tests: every request is recorded, `route` answers
 * it with JSON through `reply`.
 */
export async function startFakeServer(route: (request: FakeRequest, reply: Reply) => void): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake');
      const request: FakeRequest = {
        method: req.method ?? '',
        path: url.pathname + url.search,
        url,
        headers: req.headers,
        body: text ? (JSON.parse(text) as unknown) : undefined,
        token: /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1],
      };
      requests.push(request);
      route(request, (status, value, headers = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(value));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
