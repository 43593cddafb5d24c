import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionsError, OutboundHttp, refusedAddress } from '../src/index.js';

describe('refusedAddress', () => {
  it.each([
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'ff02::1',
    '64:ff9b::a9fe:a9fe',
    '2002:a9fe:a9fe::1',
    '::ffff:10.0.0.1',
    '::ffff:169.254.169.254',
  ])('refuses %s always', (address) => {
    expect(refusedAddress(address, true)).toBeDefined();
    expect(refusedAddress(address, false)).toBeDefined();
  });

  it.each(['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1'])('refuses loopback %s unless allowed', (address) => {
    expect(refusedAddress(address, false)).toBe('a loopback address');
    expect(refusedAddress(address, true)).toBeUndefined();
  });

  it.each(['8.8.8.8', '140.82.112.3', '2606:4700::1111', '172.32.0.1'])('allows public %s', (address) => {
    expect(refusedAddress(address, false)).toBeUndefined();
  });
});

describe('OutboundHttp', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/json') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, method: req.method }));
      } else if (req.url === '/form') {
        res.writeHead(400, { 'content-type': 'application/x-www-form-urlencoded' });
        res.end('error=invalid_grant&error_description=nope');
      } else if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        res.end();
      } else if (req.url === '/huge') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`"${'x'.repeat(64 * 1024)}"`);
      } else if (req.url === '/slow') {
        // Never answers.
      } else if (req.url === '/late') {
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"late":true}'), 600);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (http: OutboundHttp, url: string) => http.send({ method: 'GET', url, headers: {} });

  async function refusal(promise: Promise<unknown>): Promise<string> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConnectionsError);
    expect((error as ConnectionsError).code).toBe('provider_unreachable');
    return (error as ConnectionsError).message;
  }

  it('reads JSON and form-encoded answers, and does not follow redirects', async () => {
    const http = new OutboundHttp({ allowLoopback: true });
    try {
      expect(await get(http, `${base}/json`)).toMatchObject({ status: 200, json: { ok: true, method: 'GET' } });
      expect(await get(http, `${base}/form`)).toMatchObject({
        status: 400,
        json: { error: 'invalid_grant', error_description: 'nope' },
      });
      const redirected = await get(http, `${base}/redirect`);
      expect(redirected.status).toBe(302);
    } finally {
      await http.close();
    }
  });

  it('refuses oversized answers (a request may set its own limit) and gives up at its deadline', async () => {
    const http = new OutboundHttp({ allowLoopback: true, maxResponseBytes: 1024, timeoutMs: 300 });
    try {
      const tooLarge = await get(http, `${base}/huge`).catch((error: unknown) => error);
      expect(tooLarge).toBeInstanceOf(ConnectionsError);
      expect(tooLarge).toMatchObject({ code: 'response_too_large', message: expect.stringContaining('1024 bytes') });
      const allowed = await http.send({ method: 'GET', url: `${base}/huge`, headers: {} }, undefined, {
        maxResponseBytes: 128 * 1024,
      });
      expect((allowed.json as string).length).toBe(64 * 1024);
      const started = Date.now();
      await refusal(get(http, `${base}/slow`));
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await http.close();
    }
  });

  it("a request may have a deadline of its own (a tool's); says whether a failed request may have been sent", async () => {
    const http = new OutboundHttp({ allowLoopback: true, timeoutMs: 300 });
    try {
      const late = { method: 'POST' as const, url: `${base}/late`, headers: {}, body: '{}' };
      expect(await http.send(late, undefined, { timeoutMs: 3_000 })).toMatchObject({
        status: 200,
        json: { late: true },
      });
      // Past the deadline the request had been sent: a write may have taken effect.
      const timedOut = await http.send(late).catch((error: unknown) => error);
      expect(timedOut).toMatchObject({ code: 'provider_unreachable', maybeSent: true });
      // Nothing listens there: nothing was sent.
      const closed = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const refused = await get(http, `http://127.0.0.1:${closed}/json`).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'provider_unreachable', maybeSent: false });
    } finally {
      await http.close();
    }
  });

  it('without loopback (production): refuses plain http, loopback names and literals, metadata addresses', async () => {
    const http = new OutboundHttp({ allowLoopback: false, timeoutMs: 2_000 });
    try {
      expect(await refusal(get(http, `${base}/json`))).toContain('https is required');
      const port = (server.address() as AddressInfo).port;
      // A name that resolves to loopback is refused when the connection is made (after DNS), before any TLS.
      expect(await refusal(get(http, `https://localhost:${port}/json`))).toContain('private or special-use');
      expect(await refusal(get(http, `https://127.0.0.1:${port}/json`))).toContain('loopback');
      expect(await refusal(get(http, 'https://169.254.169.254/latest/meta-data/'))).toContain('special-use');
      expect(await refusal(get(http, 'https://[::ffff:a9fe:a9fe]/'))).toMatch(/IPv4-mapped|special-use/);
      expect(await refusal(get(http, 'https://[fd00::1]/'))).toContain('special-use');
    } finally {
      await http.close();
    }
  });

  it('with loopback (development): plain http only to this machine', async () => {
    const http = new OutboundHttp({ allowLoopback: true, timeoutMs: 2_000 });
    try {
      expect(await refusal(get(http, 'http://example.com/'))).toContain('https is required');
      expect(await refusal(get(http, 'https://10.0.0.1/'))).toContain('special-use');
    } finally {
      await http.close();
    }
  });
});
