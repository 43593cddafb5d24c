import { Redis } from 'ioredis';
import { TcpProxy, testRedisUrl, waitFor } from '../src/index.js';

describe('TcpProxy', () => {
  const target = { host: new URL(testRedisUrl()).hostname, port: Number(new URL(testRedisUrl()).port || 6379) };

  it('relays to the real service, refuses while cut, and relays again on the same port after restore', async () => {
    const proxy = await TcpProxy.start(target);
    const port = proxy.port;
    const client = new Redis(proxy.urlFor(testRedisUrl()), {
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => 50,
    });
    client.on('error', () => {});
    try {
      await waitFor('client ready', async () => (client.status === 'ready' ? true : undefined));
      await expect(client.ping()).resolves.toBe('PONG');

      await proxy.cut();
      expect(proxy.up).toBe(false);
      await expect(client.ping()).rejects.toThrow();

      await proxy.restore();
      expect(proxy.port).toBe(port);
      await waitFor('reconnect through the proxy', async () =>
        (await client.ping().catch(() => undefined)) === 'PONG' ? true : undefined,
      );
    } finally {
      client.disconnect();
      await proxy.close();
    }
  });
});

describe('waitFor', () => {
  it('returns the first defined value', async () => {
    let calls = 0;
    await expect(
      waitFor('third call', async () => (++calls === 3 ? calls : undefined), { intervalMs: 1 }),
    ).resolves.toBe(3);
  });

  it('fails naming what it waited for and the last error', async () => {
    await expect(
      waitFor('the impossible', () => Promise.reject(new Error('still broken')), { timeoutMs: 50, intervalMs: 10 }),
    ).rejects.toThrow('timed out after 50 ms waiting for the impossible (last error: still broken)');
  });
});
