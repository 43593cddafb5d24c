export { LockTimeoutError, SingleFlight, withRedisLock, type RedisLockOptions } from './redis-lock.js';
export { coalesceWrites } from './coalesced-writes.js';
