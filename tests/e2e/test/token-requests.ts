// A separate process asking the connections service for one person's token, many times at once — what a worker or
// api instance does when tools run. Started by connections.test.ts (twice, to split the load over two processes).
// Runs on Node 24's built-in TypeScript support. Prints one JSON line: the access tokens (or reasons) it got.
import { AuditLog } from '@gatehouse/audit';
import { ConnectionService, OutboundHttp } from '@gatehouse/connections';
import { AuditRepository, createDatabase, DataKeyRepository, SecretRepository } from '@gatehouse/db';
import { LocalKeyring, Vault } from '@gatehouse/vault';
import { Redis } from 'ioredis';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const db = createDatabase({ url: env('DATABASE_URL'), maxConnections: 10, applicationName: 'token-requests' });
const redis = new Redis(env('REDIS_URL'), { maxRetriesPerRequest: null });
const http = new OutboundHttp({ allowLoopback: true });
const service = new ConnectionService(
  db,
  new Vault(LocalKeyring.parse(env('VAULT_KEYS')), new DataKeyRepository(db), new SecretRepository(db)),
  new AuditLog(new AuditRepository(db)),
  redis,
  http,
  { prefix: env('QUEUE_PREFIX'), publicApiUrl: env('PUBLIC_API_URL') },
);
try {
  // Warm up the database pool and the vault's key cache, so the burst below really is concurrent.
  await db.$queryRaw`SELECT 1`;
  const wait = Number(env('START_AT')) - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const request = {
    tenant: { id: env('TENANT_ID'), slug: env('TENANT_SLUG') },
    userId: env('USER_ID'),
    providerId: 'demo',
    scopes: ['notes:read'],
  };
  const results = await Promise.all(Array.from({ length: Number(env('COUNT')) }, () => service.accessToken(request)));
  process.stdout.write(
    `${JSON.stringify(results.map((result) => (result.ok ? result.accessToken : result.reason)))}\n`,
  );
} finally {
  await http.close();
  redis.disconnect();
  await db.$disconnect();
}
