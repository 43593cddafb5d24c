export {
  testAppDatabaseUrl,
  testDatabaseUrl,
  testMaintenanceDatabaseUrl,
  testPrefix,
  testRedisUrl,
} from './context.js';
export { runId, testPostgresServerUrl, testRolePasswords, testVaultKeys } from './environment.js';
export { freePort } from './ports.js';
export { startProcess, type RunningProcess } from './process.js';
export { RedisServer } from './redis-server.js';
export { deleteKeysWithPrefix, scratchRedis, type ScratchRedis } from './scratch-redis.js';
export { TcpProxy } from './tcp-proxy.js';
export { waitFor } from './wait.js';
