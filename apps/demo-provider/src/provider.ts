import type { IncomingMessage, ServerResponse } from 'node:http';
import { NotesStore, UserDirectory } from './api/notes.store.js';
import type { DemoProviderConfig } from './config.js';
import { ClientRegistry } from './oauth/clients.js';
import { OAuthStore } from './oauth/oauth.store.js';
import { emptyStats, type Stats } from './stats.js';

/** A failure the notes API answers with instead of doing its work (test hook: `POST /admin/fail-api`). */
export interface InjectedApiFailure {
  status: 429 | 500 | 502 | 503;
  remaining: number;
  retryAfterSeconds: number | undefined;
}

/** All of one provider's state. In memory: a restart forgets clients registered by the admin API, tokens and notes. */
export interface ProviderState {
  /** Issuer and base of every URL this provider hands out; no trailing slash. */
  publicUrl: string;
  adminToken: string;
  clients: ClientRegistry;
  oauth: OAuthStore;
  users: UserDirectory;
  notes: NotesStore;
  stats: Stats;
  /** `apiLatencyMs`: every /api/ request waits this long first (a slow provider, for timeouts and crash tests). */
  switches: {
    /** How refreshes fail while set: refused grants, or blocked before they reach the token endpoint. */
    failRefresh: false | 'invalid_grant' | 'blocked' | 'internal_error';
    apiFailure: InjectedApiFailure | undefined;
    apiLatencyMs: number;
  };
}

export function createProviderState(config: DemoProviderConfig, publicUrl: string): ProviderState {
  const clients = new ClientRegistry();
  for (const registration of config.DEMO_PROVIDER_CLIENTS) clients.register(registration);
  return {
    publicUrl,
    adminToken: config.DEMO_PROVIDER_ADMIN_TOKEN,
    clients,
    oauth: new OAuthStore({
      accessTokenSeconds: config.DEMO_PROVIDER_ACCESS_TOKEN_TTL,
      refreshTokenSeconds: config.DEMO_PROVIDER_REFRESH_TOKEN_TTL,
    }),
    users: new UserDirectory(),
    notes: new NotesStore(),
    stats: emptyStats(),
    switches: { failRefresh: false, apiFailure: undefined, apiLatencyMs: 0 },
  };
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Named path segments, e.g. `id` for `/api/notes/:id`. */
  params: Readonly<Record<string, string>>;
  provider: ProviderState;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Literal segments and `:name` placeholders. */
  path: string;
  handle(ctx: RequestContext): void | Promise<void>;
}
