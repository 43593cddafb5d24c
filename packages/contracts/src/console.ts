import { z } from 'zod';
import { queryInstant } from './tenancy.js';

// Reads the console needs beyond the tenant administration API.

/** The provider catalog (`GET /api/v1/providers`): what a tenant can configure an OAuth app for. */
export const providerCatalog = z.object({
  /** Register this exact URL as the redirect (callback) URI of every OAuth app. */
  redirectUri: z.string(),
  providers: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      kind: z.enum(['oauth2', 'api_key']),
      docsUrl: z.string(),
      defaultScopes: z.array(z.string()),
      /** Values the app needs besides client id and secret (a self-hosted base URL, a Microsoft tenant). */
      settings: z.array(
        z.object({ name: z.string(), kind: z.string(), description: z.string(), default: z.string().nullable() }),
      ),
    }),
  ),
});
export type ProviderCatalog = z.infer<typeof providerCatalog>;

/** `GET /api/v1/tenants/{slug}/usage`: tool calls in `[from, to)`; default the last 14 days. At most 92 days. */
export const usageQuery = z
  .object({
    from: queryInstant.optional(),
    to: queryInstant.optional(),
  })
  .strict();
export const usageReport = z.object({
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  /** Calls per UTC day (`YYYY-MM-DD`), tool and result (`succeeded`, `failed`, `rate_limited`, …). */
  daily: z.array(z.object({ day: z.string(), tool: z.string(), result: z.string(), calls: z.number().int() })),
  /** Latency percentiles in milliseconds, per tool, over the window. */
  latency: z.array(
    z.object({ tool: z.string(), calls: z.number().int(), p50: z.number(), p95: z.number(), p99: z.number() }),
  ),
  /** Calls refused by a rate limit, per day and limit (`tenant`, `user`, `tool`, `provider`). */
  rateLimited: z.array(z.object({ day: z.string(), limit: z.string(), hits: z.number().int() })),
});
export type UsageReport = z.infer<typeof usageReport>;
