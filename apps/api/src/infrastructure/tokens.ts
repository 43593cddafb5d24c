// Injection tokens for infrastructure objects that are plain classes from packages (not Nest providers).
export const API_CONFIG = Symbol('API_CONFIG');
export const DATABASE = Symbol('DATABASE');
export const REDIS = Symbol('REDIS');
/** The BullMQ queues' own connection (not auto-pipelined: see InfrastructureModule). */
export const QUEUE_REDIS = Symbol('QUEUE_REDIS');
/** A Redis connection that never queues commands while disconnected: health probes fail fast on it. */
export const REDIS_PROBE = Symbol('REDIS_PROBE');
export const SYSTEM_QUEUE_TOKEN = Symbol('SYSTEM_QUEUE');
export const VAULT = Symbol('VAULT');
export const AUDIT = Symbol('AUDIT');
/** Keyed digests of tool-call arguments for audit records (`argumentsDigester` of @gatehouse/audit). */
export const ARGUMENTS_DIGEST = Symbol('ARGUMENTS_DIGEST');
/** The vault's key-encryption keys (also wrap the authorization server's own keys). */
export const KEYRING = Symbol('KEYRING');
/** Listens for committed changes that can end someone's access (AuthChangeListener). */
export const AUTH_CHANGES = Symbol('AUTH_CHANGES');
