import { z } from 'zod';
import {
  common,
  httpUrl,
  port,
  postgresUrl,
  queuePrefix,
  redisUrl,
  shutdownTimeoutMs,
  vaultActiveKey,
  vaultKeys,
  databasePoolSize,
  originList,
  otelSampler,
  otelSamplerRatio,
  trustProxy,
} from './fields.js';

// One schema per app (STYLE §9). Secrets (DATABASE_URL carries a password) have no defaults.

export const apiConfigSchema = z.object({
  ...common,
  /** Listen address: this machine only unless told otherwise (the container images set 0.0.0.0). */
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(4000),
  /** The URL people and MCP clients use to reach the api (shown in the console; OAuth metadata will use it). */
  PUBLIC_API_URL: httpUrl.default('http://localhost:4000'),
  /**
   * Which reverse proxies' X-Forwarded-For to believe (Express "trust proxy"): `loopback`, a comma-separated
   * list of addresses/CIDRs, or a hop count. Sign-in limits per client IP depend on it being right.
   */
  TRUST_PROXY: trustProxy.default('loopback'),
  /** The console's public origin: the api's allowed CORS origin. */
  PUBLIC_WEB_URL: httpUrl.default('http://localhost:3000'),
  /** As gatehouse_app: row-level security applies to everything the api does. */
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: databasePoolSize,
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: queuePrefix,
  VAULT_KEYS: vaultKeys,
  VAULT_ACTIVE_KEY: vaultActiveKey,
  SHUTDOWN_TIMEOUT_MS: shutdownTimeoutMs,
  /**
   * Origins allowed to call MCP endpoints from a browser (comma-separated). The public api and console origins are
   * always allowed; a request with any other `Origin` gets 403 (DNS-rebinding protection).
   */
  MCP_ALLOWED_ORIGINS: originList.default([]),
  /**
   * Extra `Host` header values MCP endpoints answer to (comma-separated `host[:port]`), e.g. the upstream name a
   * reverse proxy sets. The host of PUBLIC_API_URL is always allowed; any other Host gets 403 (DNS rebinding).
   */
  MCP_ALLOWED_HOSTS: z
    .string()
    .regex(
      /^([A-Za-z0-9.-]+(:\d{1,5})?(,\s*[A-Za-z0-9.-]+(:\d{1,5})?)*)?$/,
      'expected comma-separated host[:port] values',
    )
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    ),
  /** Lifetime of MCP access tokens in seconds; short, because a stolen one works until it expires or is revoked. */
  OAUTH_ACCESS_TOKEN_TTL: z.coerce.number().int().min(60).max(3600).default(600),
  /** Lifetime of refresh tokens in seconds (each use rotates them). */
  OAUTH_REFRESH_TOKEN_TTL: z.coerce
    .number()
    .int()
    .min(3600)
    .max(90 * 86_400)
    .default(14 * 86_400),
  /** Console accounts created (`POST /api/v1/auth/sign-up`) per client address (IPv6: per /64) and hour. */
  SIGN_UPS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(50),
  /** Dynamic client registrations accepted per client IP and hour. */
  OAUTH_REGISTRATIONS_PER_HOUR: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Authorization requests (`/oauth/auth`) accepted per client address (IPv6: per /64) and minute. */
  OAUTH_AUTHORIZATIONS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(300),
  /** Default tool-call rate limits in calls per minute (a tenant's admins may set their own). */
  TOOL_CALLS_PER_MINUTE_TENANT: z.coerce.number().int().min(1).max(1_000_000).default(6000),
  TOOL_CALLS_PER_MINUTE_USER: z.coerce.number().int().min(1).max(1_000_000).default(600),
  TOOL_CALLS_PER_MINUTE_TOOL: z.coerce.number().int().min(1).max(1_000_000).default(300),
  TOOL_CALLS_PER_MINUTE_PROVIDER: z.coerce.number().int().min(1).max(1_000_000).default(3000),
  /**
   * How far a tenant's admins may raise any of their limits (calls per minute); a limit can always be lowered, and
   * raised up to its own default. Unset: no raising at all — tenants may only lower their limits.
   */
  TOOL_CALLS_PER_MINUTE_CEILING: z.coerce.number().int().min(1).max(1_000_000).optional(),
  /**
   * Seconds during which a tools/call sent again (same person, client, server, session, request id, tool and
   * arguments) is never run again: it gets the first run's answer while the queue keeps it (completed calls: up to
   * an hour and the newest 10,000), afterwards an error saying it was already called. Costs Redis ~300 bytes per call.
   */
  TOOL_CALL_REPLAY_WINDOW_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /**
   * Circuit breaker per tenant and provider: after this many provider failures in a row (5xx, timeouts, unreachable)
   * the tenant's calls to it are refused at once for PROVIDER_CIRCUIT_OPEN_SECONDS.
   */
  PROVIDER_CIRCUIT_FAILURES: z.coerce.number().int().min(1).max(1000).default(5),
  PROVIDER_CIRCUIT_OPEN_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** OTLP/HTTP collector base URL (traces go to `<url>/v1/traces`); unset, no traces are exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_TRACES_SAMPLER: otelSampler,
  OTEL_TRACES_SAMPLER_ARG: otelSamplerRatio,
  /** Bearer token Prometheus presents at GET /metrics; unset, the endpoint answers 404 (metrics off). */
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  /** Seconds a person has to finish connecting a provider (the connect flow's single-use state); at most 10 min. */
  CONNECT_STATE_TTL: z.coerce.number().int().min(2).max(600).default(600),
});
export type ApiConfig = z.infer<typeof apiConfigSchema>;

export const workerConfigSchema = z.object({
  ...common,
  WORKER_HOST: z.string().min(1).default('127.0.0.1'),
  /** Port of the worker's health endpoints (/healthz, /readyz). */
  WORKER_PORT: port.default(4001),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(16),
  /**
   * Tool calls of one tenant a worker process runs at once; unset: WORKER_CONCURRENCY less one slot in eight (all of
   * them below 8), so one tenant's slow calls always leave room for the others'.
   */
  WORKER_CONCURRENCY_PER_TENANT: z.coerce.number().int().min(1).max(1000).optional(),
  /**
   * A running tool call's lock lifetime in ms (renewed at half of it while the worker lives). A worker that dies is
   * noticed within about twice this; its calls then fail with a clear error — never run again behind the caller's
   * back.
   */
  TOOL_CALL_LOCK_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /** OTLP/HTTP collector base URL (traces go to `<url>/v1/traces`); unset, no traces are exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_TRACES_SAMPLER: otelSampler,
  OTEL_TRACES_SAMPLER_ARG: otelSamplerRatio,
  /** Bearer token Prometheus presents at the worker's GET /metrics (health port); unset: 404. */
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters').optional(),
  /**
   * Where people reach the api (same value as the api's). The worker builds the connect links of its `needs_connection`
   * results from it, but the api discards them: MCP clients get links built from the api's PUBLIC_WEB_URL.
   */
  PUBLIC_API_URL: httpUrl.default('http://localhost:4000'),
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_SIZE: databasePoolSize,
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: queuePrefix,
  VAULT_KEYS: vaultKeys,
  VAULT_ACTIVE_KEY: vaultActiveKey,
  SHUTDOWN_TIMEOUT_MS: shutdownTimeoutMs,
});
export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export const webConfigSchema = z.object({
  ...common,
  /** Where the console's server side reaches the api (may be an internal address). */
  API_INTERNAL_URL: httpUrl.default('http://127.0.0.1:4000'),
  PUBLIC_API_URL: httpUrl.default('http://localhost:4000'),
});
export type WebConfig = z.infer<typeof webConfigSchema>;

/** `gatehouse-vault` maintenance command (key rotation): needs the BYPASSRLS maintenance connection. */
export const vaultCommandConfigSchema = z.object({
  ...common,
  DATABASE_URL: postgresUrl,
  MAINTENANCE_DATABASE_URL: postgresUrl,
  VAULT_KEYS: vaultKeys,
  VAULT_ACTIVE_KEY: vaultActiveKey,
});
export type VaultCommandConfig = z.infer<typeof vaultCommandConfigSchema>;

/** `gatehouse-admin tools …` (failed tool calls: list, show, replay): the tools queue and the audit log. */
export const toolsCommandConfigSchema = z.object({
  ...common,
  DATABASE_URL: postgresUrl,
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: queuePrefix,
});
export type ToolsCommandConfig = z.infer<typeof toolsCommandConfigSchema>;
