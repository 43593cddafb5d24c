import { isIP } from 'node:net';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A TCP port; 0 asks the OS for a free one (tests). */
export const port = z.coerce.number().int().min(0).max(65535);

/** A URL whose protocol is one of `protocols`; the message never includes the value. */
export function urlWith(protocols: readonly string[]) {
  return z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a ${protocols.map((p) => p.replace(/:$/, '')).join(' or ')} URL` },
  );
}

export const postgresUrl = urlWith(['postgres:', 'postgresql:']);
export const redisUrl = urlWith(['redis:', 'rediss:']);
export const httpUrl = urlWith(['http:', 'https:']).transform((value) => value.replace(/\/+$/, ''));

export const common = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
};

/** Shutdown grace period: in-flight work gets this long before the process exits anyway. */
export const shutdownTimeoutMs = z.coerce.number().int().min(0).max(120_000).default(10_000);

/** Namespace for every Redis key and BullMQ queue of one deployment; api and worker must agree on it. */
export const queuePrefix = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lowercase letters, digits and dashes')
  .default('gatehouse');

/**
 * Key-encryption keys for the vault: `version:base64` pairs (32 random bytes each), comma-separated, e.g.
 * `v1:…,v2:…`. Required with no default: without a master key nothing starts (encryption is never optional).
 */
export const vaultKeys = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,31}:[A-Za-z0-9+/]{43}=(,[a-z0-9][a-z0-9-]{0,31}:[A-Za-z0-9+/]{43}=)*$/,
    'expected comma-separated "<version>:<base64 of 32 bytes>" entries',
  )
  .refine((value) => {
    const versions = value.split(',').map((entry) => entry.split(':')[0]);
    return new Set(versions).size === versions.length;
  }, 'a key version is listed twice');

export const vaultActiveKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'expected a key version listed in VAULT_KEYS')
  .optional();

/** Connections this process keeps to PostgreSQL (keep api + worker × instances under max_connections). */
export const databasePoolSize = z.coerce.number().int().min(1).max(200).default(10);

/** Comma-separated http(s) origins (`scheme://host[:port]`), parsed to a list; empty means none. */
export const originList = z
  .string()
  .refine(
    (value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .every((entry) => {
          try {
            const url = new URL(entry);
            return ['http:', 'https:'].includes(url.protocol) && url.origin === entry.replace(/\/$/, '');
          } catch {
            return false;
          }
        }),
    { message: 'expected comma-separated origins like https://app.example.com' },
  )
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim().replace(/\/$/, ''))
      .filter(Boolean),
  );

/**
 * OTEL_TRACES_SAMPLER: one of the standard samplers (case-insensitive). Anything else is refused — a typo such as
 * `always-of` silently kept every trace.
 */
export const otelSampler = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(
    z.enum(
      [
        'always_on',
        'always_off',
        'traceidratio',
        'parentbased_always_on',
        'parentbased_always_off',
        'parentbased_traceidratio',
      ],
      {
        message:
          'expected always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio',
      },
    ),
  )
  .optional();

/**
 * TRUST_PROXY (Express "trust proxy"): `loopback`, `linklocal`, `uniquelocal`, IP addresses and CIDR ranges, comma
 * separated; or a hop count alone. Each entry is checked as Express will read it: a value it would reject (and stop
 * the api with a stack trace) — `10.0.0.256`, `10.0.0.0/33`, a word — is refused here, with the others.
 */
export const trustProxy = z
  .string()
  .trim()
  .refine(
    (value) => {
      if (/^\d{1,2}$/.test(value)) return true;
      return value.split(',').every((raw) => {
        const entry = raw.trim();
        if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
        const [address, prefix, ...rest] = entry.split('/');
        const family = isIP(address ?? '');
        if (family === 0 || rest.length > 0) return false;
        if (prefix === undefined) return true;
        if (family === 4 && isIP(prefix) === 4) return isContiguousMask(prefix);
        if (!/^\d{1,3}$/.test(prefix)) return false;
        return Number(prefix) <= (family === 4 ? 32 : 128);
      });
    },
    {
      message:
        'expected loopback, linklocal, uniquelocal, IP addresses or CIDR ranges (comma-separated), or a hop count',
    },
  );
/** OTEL_TRACES_SAMPLER_ARG: the share of traces a ratio sampler keeps. */
export const otelSamplerRatio = z.coerce.number().min(0).max(1).optional();

/** `255.255.240.0` yes, `255.0.255.0` no: a netmask is ones, then zeros. */
function isContiguousMask(mask: string): boolean {
  const bits = mask.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  const inverted = 0xffffffff - bits;
  return (inverted & (inverted + 1)) === 0;
}
