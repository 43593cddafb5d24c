import { loadConfigOrExit, httpUrl, port } from '@gatehouse/config';
import { z } from 'zod';
import { clientRegistrationSchema } from './oauth/clients.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `DEMO_PROVIDER_CLIENTS`: a JSON list of clients registered at boot. The message never echoes the value. */
const clientsJson = z
  .string()
  .transform((value, ctx) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected a JSON list of {client_id, client_secret, redirect_uris}' });
      return z.NEVER;
    }
  })
  .pipe(z.array(clientRegistrationSchema.required({ client_secret: true })));

const seconds = (max: number) => z.coerce.number().int().min(1).max(max);

/**
 * The demo provider's whole configuration, parsed once at boot (STYLE §9). The admin token is a secret and has no
 * default: without it the process does not start.
 */
export const demoProviderConfigSchema = z.object({
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  DEMO_PROVIDER_HOST: z.string().min(1).default('127.0.0.1'),
  DEMO_PROVIDER_PORT: port.default(4100),
  /** Issuer and base URL clients use. Unset: `http://<host>:<bound port>` (loopback when bound to all interfaces). */
  DEMO_PROVIDER_PUBLIC_URL: httpUrl.optional(),
  /** Guards /admin/* (client registration and test hooks). */
  DEMO_PROVIDER_ADMIN_TOKEN: z.string().min(16, 'expected at least 16 characters'),
  DEMO_PROVIDER_CLIENTS: clientsJson.default([]),
  /** Access-token lifetime in seconds; as low as 1 so tests can watch tokens expire. */
  DEMO_PROVIDER_ACCESS_TOKEN_TTL: seconds(86_400).default(300),
  /** Refresh-token lifetime in seconds (each rotation issues a fresh one with a full lifetime). */
  DEMO_PROVIDER_REFRESH_TOKEN_TTL: seconds(365 * 86_400).default(30 * 86_400),
});

export type DemoProviderConfig = z.infer<typeof demoProviderConfigSchema>;

/** Reads the environment through @gatehouse/config (the only code allowed to touch it); bad input exits 78. */
export function loadDemoProviderConfig(): DemoProviderConfig {
  return loadConfigOrExit(demoProviderConfigSchema, 'demo-provider');
}
