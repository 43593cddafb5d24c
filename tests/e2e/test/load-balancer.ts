import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';

/** Bytes kept per direction of one connection: enough for any request head and MCP message these tests send. */
const KEEP_BYTES = 256 * 1024;

/** One TCP connection through the front: which backend it went to, and what crossed it each way. */
export interface FrontConnection {
  readonly backend: number;
  readonly sent: Buffer[];
  readonly received: Buffer[];
  closed: boolean;
}

/** The HTTP request a connection carried (these tests send exactly one per connection) and its response head. */
export interface Exchange {
  readonly backend: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Bytes the client sent after the first request's body: a second request on the same connection. */
  readonly extraBytes: number;
  readonly status: number | undefined;
  readonly responseHeaders: Record<string, string>;
  readonly closed: boolean;
}

/**
 * A loopback layer-4 load balancer: each new TCP connection goes to the next backend in turn, with no stickiness
 * (as a plain TCP balancer or a Kubernetes Service does), and the bytes of each connection are kept so a test can
 * tell which backend served which request. Listening starts before the backends exist, so they can be told the
 * front's URL as their public URL; connections arriving before `route()` are refused.
 */
export class RoundRobinFront {
  private ports: number[] = [];
  private next = 0;
  private readonly sockets = new Set<Socket>();
  readonly connections: FrontConnection[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<RoundRobinFront> {
    const server = createServer();
    const front = new RoundRobinFront(server);
    server.on('connection', (client) => front.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return front;
  }

  get url(): string {
    const address = this.server.address();
    if (typeof address !== 'object' || !address) throw new Error('front is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  /** Sends connections to these loopback ports, in turn. */
  route(ports: number[]): void {
    this.ports = [...ports];
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.ports.length === 0) {
      client.destroy();
      return;
    }
    const backend = this.next++ % this.ports.length;
    const record: FrontConnection = { backend, sent: [], received: [], closed: false };
    this.connections.push(record);
    const upstream = createConnection({ host: '127.0.0.1', port: this.ports[backend]! });
    this.track(upstream);
    client.on('data', (chunk: Buffer) => keep(record.sent, chunk));
    upstream.on('data', (chunk: Buffer) => keep(record.received, chunk));
    client.pipe(upstream).pipe(client);
    const close = () => {
      record.closed = true;
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** The HTTP exchanges of the connections opened from index `since` on. */
  exchanges(since = 0): Exchange[] {
    return this.connections.slice(since).map(exchangeOf);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function keep(chunks: Buffer[], chunk: Buffer): void {
  if (chunks.reduce((total, kept) => total + kept.length, 0) < KEEP_BYTES) chunks.push(chunk);
}

function parseHead(head: string): { startLine: string; headers: Record<string, string> } {
  const [startLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { startLine, headers };
}

function exchangeOf(connection: FrontConnection): Exchange {
  const sent = Buffer.concat(connection.sent);
  const headEnd = sent.indexOf('\r\n\r\n');
  const request = parseHead(sent.subarray(0, Math.max(headEnd, 0)).toString('latin1'));
  const [method = '', path = ''] = request.startLine.split(' ');
  const bodyStart = headEnd < 0 ? sent.length : headEnd + 4;
  const length = Number(request.headers['content-length'] ?? 0);
  const received = Buffer.concat(connection.received);
  const responseEnd = received.indexOf('\r\n\r\n');
  const response = responseEnd < 0 ? undefined : parseHead(received.subarray(0, responseEnd).toString('latin1'));
  return {
    backend: connection.backend,
    method,
    path,
    headers: request.headers,
    body: sent.subarray(bodyStart, bodyStart + length).toString('utf8'),
    extraBytes: Math.max(sent.length - bodyStart - length, 0),
    status: response ? Number(response.startLine.split(' ')[1]) : undefined,
    responseHeaders: response?.headers ?? {},
    closed: connection.closed,
  };
}

/**
 * A `fetch` that opens a new TCP connection for every request and closes it afterwards. Node's global fetch keeps
 * a pool per origin and reuses idle connections even for a request that says `connection: close`, which would
 * pin consecutive requests to one backend behind a layer-4 balancer.
 */
export function fetchOnFreshConnection(url: string | URL, init: RequestInit = {}): Promise<Response> {
  const headers: OutgoingHttpHeaders = Object.fromEntries(new Headers(init.headers));
  headers.connection = 'close';
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    return Promise.reject(new Error('fetchOnFreshConnection sends string bodies only'));
  }
  if (body) headers['content-length'] = Buffer.byteLength(body);
  const method = init.method ?? 'GET';
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method, headers, agent: false, ...(init.signal ? { signal: init.signal } : {}) },
      (incoming) => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(incoming.headers)) {
          for (const item of [value ?? []].flat()) responseHeaders.append(name, item);
        }
        const status = incoming.statusCode ?? 502;
        const empty = status === 204 || status === 304 || method === 'HEAD';
        if (empty) incoming.resume();
        resolve(
          new Response(empty ? null : Readable.toWeb(incoming), {
            status,
            statusText: incoming.statusMessage ?? '',
            headers: responseHeaders,
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body ?? undefined);
  });
}
