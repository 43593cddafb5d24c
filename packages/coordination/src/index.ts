export { LockTimeoutError, SingleFlight, withRedisLock, type RedisLockOptions } from './redis-lock.js';
