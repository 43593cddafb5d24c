import { createHash, randomBytes } from 'node:crypto';
import { PLATFORM_CHAIN, type AuditEventInput, type AuditLog } from '@gatehouse/audit';
import { LockTimeoutError, SingleFlight, withRedisLock } from '@gatehouse/coordination';
import {
  ConnectionRepository,
  type AccessCache,
  findConnectionWithTokens,
  MembershipRepository,
  ProviderAppRepository,
  SecretRepository,
  isDatabaseError,
  withTenant,
  type ConnectionKey,
  type ConnectionRecord,
  type Database,
  type DbExecutor,
  type MembershipRole,
  type ProviderAppRecord,
  type ServerToolsRecord,
} from '@gatehouse/db';
import {
  buildAuthorizationUrl,
  buildRevocationRequest,
  buildTokenRequest,
  buildUserInfoRequest,
  missingScopes,
  pkceChallenge,
  providerDisplayName,
  ProviderError,
  readAccountId,
  readAccountLabel,
  readTokenResponse,
  requestedScopes,
  resolveProviderUrls,
  SCOPE_TOKEN,
  type OAuth2Provider,
  type TokenSet,
} from '@gatehouse/providers';
import { actorLabel, type Actor } from '@gatehouse/tenancy';
import { VaultError, type PreparedKey, type SecretStore, type Vault } from '@gatehouse/vault';
import type { Redis } from 'ioredis';
import { ConnectStateStore, type ConnectState } from './connect-state.js';
import { ConnectionsError, oauth2Provider, type ConnectionsErrorCode } from './connections.errors.js';
import type { OutboundHttp, OutboundResponse } from './outbound-http.js';
import { clientSecretContext } from './provider-apps.service.js';
import { connectionCallbackUrl, connectPageUrl } from './urls.js';

/** Where the vault keeps a connection's tokens (one sealed JSON document, so access and refresh change together). */
export function connectionTokensContext(tenantId: string, connectionId: string) {
  return { tenantId, owner: `connection:${connectionId}`, purpose: 'oauth.tokens' } as const;
}

interface StoredTokens {
  accessToken: string;
  refreshToken?: string;
  /**
   * The provider app's settings they were issued under (`settingsDigest`): the settings decide where tokens are sent
   * (GitLab's base URL, say), so tokens from one place never go to another an admin later named. Absent on tokens
   * sealed before this was recorded (then taken as they are, and recorded at their next refresh).
   */
  settings?: string;
}

/** A short, one-way name for `text` (128 bits of SHA-256). */
function shortDigest(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/** A digest of a provider app's settings, whatever their order. */
function settingsDigest(settings: Record<string, string>): string {
  return shortDigest(JSON.stringify(Object.entries(settings).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

/** Tokens sealed under other settings than the app's now: they must not be sent where the settings now point. */
function issuedElsewhere(tokens: StoredTokens, settings: Record<string, string>): boolean {
  return tokens.settings !== undefined && tokens.settings !== settingsDigest(settings);
}

export interface ConnectionServiceOptions {
  /** Redis key namespace (QUEUE_PREFIX). */
  prefix: string;
  /** PUBLIC_API_URL: the callback (every provider app's redirect URI) and the connect pages live there. */
  publicApiUrl: string;
  /** Lifetime of a connect flow's state; at most 10 minutes. */
  stateTtlSeconds?: number;
  /** Refresh this long before expiry (at most a quarter of the token's lifetime). */
  refreshSkewSeconds?: number;
  /** Told of every refresh attempt's outcome (metrics). */
  onRefresh?: (providerId: string, outcome: 'refreshed' | 'rejected' | 'unavailable') => void;
  /**
   * Remembers a tool call's read (membership, server exposure, connection and sealed tokens) until any change that
   * could refuse the call or change its token (the worker's; see AccessCache in @gatehouse/db). Only people with a
   * connection are remembered.
   */
  accessCache?: AccessCache<CurrentAccess>;
}

/** What a tool call reads about the calling person (`findConnectionWithTokens`). */
export type CurrentAccess = Awaited<ReturnType<typeof findConnectionWithTokens>>;

/** Who asks for a token: the calling person in a tenant. */
export interface TokenRequest {
  tenant: { id: string; slug: string };
  userId: string;
  providerId: string;
  scopes: readonly string[];
  /**
   * A further check on the same read, before any token is opened or refreshed: given the person's role and what the
   * MCP server `serverId` exposes (null: no such server), the reason to refuse, or undefined to go on.
   */
  authorize?: {
    serverId: string;
    refusal: (access: { role: MembershipRole; server: ServerToolsRecord | null }) => string | undefined;
  };
}

export type TokenResult =
  | {
      ok: true;
      accessToken: string;
      connectionId: string;
      scopes: string[];
      expiresAt: Date | null;
      /** The tenant app's placeholder settings (e.g. the demo provider's baseUrl): where the provider's API is. */
      settings: Record<string, string>;
    }
  | {
      ok: false;
      reason: 'not_connected' | 'missing_scopes' | 'needs_reauth';
      message: string;
      /** Gatehouse's own page that fixes it (no secrets in it). */
      connectUrl: string;
      missingScopes: string[];
    }
  | { ok: false; reason: 'provider_unavailable'; message: string }
  /** The person is no longer a member of the tenant (checked in the same round trip as the connection). */
  | { ok: false; reason: 'not_a_member'; message: string }
  /** The request's `authorize` check refused. */
  | { ok: false; reason: 'not_allowed'; message: string };

export interface ConnectionView {
  connection: ConnectionRecord;
  providerName: string;
}

const NOT_A_MEMBER = {
  ok: false,
  reason: 'not_a_member',
  message: 'You are no longer a member of this organisation.',
} as const satisfies TokenResult;

const REFRESH_LOCK = { leaseMs: 30_000, waitMs: 20_000, pollMs: 20 } as const;
const MAX_STATE_TTL = 600;

/**
 * People's connections to third-party providers: the connect flow (server-side single-use state, PKCE, code
 * exchange, granted scopes, external account), race-free refresh, disconnect with revocation at the provider, and
 * the one way for tools to get a usable token. Tokens are sealed by the vault and never leave through this API
 * except to the caller of `accessToken` (the tool runtime).
 */
export class ConnectionService {
  private readonly states: ConnectStateStore;
  private readonly refreshes = new SingleFlight<TokenResult>();
  private readonly refreshSkewMs: number;
  private readonly callbackUrl: string;
  private readonly settingsCache = new Map<string, { settings: Record<string, string>; until: number }>();

  /** When this process last recorded each connection's use. */
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly vault: Vault,
    private readonly audit: AuditLog<DbExecutor>,
    private readonly redis: Redis,
    private readonly http: OutboundHttp,
    private readonly options: ConnectionServiceOptions,
  ) {
    const ttl = options.stateTtlSeconds ?? MAX_STATE_TTL;
    if (ttl < 1 || ttl > MAX_STATE_TTL) throw new RangeError('stateTtlSeconds must be 1–600');
    this.states = new ConnectStateStore(redis, { prefix: options.prefix, ttlSeconds: ttl });
    this.refreshSkewMs = (options.refreshSkewSeconds ?? 60) * 1000;
    this.callbackUrl = connectionCallbackUrl(options.publicApiUrl);
  }

  // ---------------------------------------------------------------------------------------------- connect flow

  /**
   * Starts connecting `providerId` for the acting person: returns the provider's authorization URL. Asks for the
   * scopes already granted plus `scopes` (incremental consent), all within the app's allowed scopes.
   */
  async start(
    actor: Actor,
    providerId: string,
    input: {
      scopes?: readonly string[] | undefined;
      returnTo?: string | undefined;
      /** An MCP URL elicitation this flow answers: handed back by `complete`. */
      elicitationId?: string | undefined;
    },
    requestId?: string,
  ): Promise<{ authorizationUrl: string; expiresAt: Date; scopes: string[] }> {
    const userId = personOf(actor);
    const provider = oauth2Provider(providerId);
    const wanted = input.scopes ?? [];
    const bad = wanted.filter((scope) => !SCOPE_TOKEN.test(scope));
    if (bad.length > 0) throw new ConnectionsError('invalid_scopes', `Not valid scopes: ${bad.join(', ')}.`);
    const { app, existing } = await withTenant(this.db, actor.tenantId, async (tx) => ({
      app: await new ProviderAppRepository(tx).find(actor.tenantId, providerId),
      existing: await new ConnectionRepository(tx).find({ tenantId: actor.tenantId, userId, providerId }),
    }));
    if (!app) throw notConfigured(provider);
    const notAllowed = missingScopes(app.allowedScopes, wanted, provider);
    if (notAllowed.length > 0) {
      throw new ConnectionsError(
        'invalid_scopes',
        `This organisation does not allow ${provider.name} scopes ${notAllowed.join(', ')}; an admin can allow them.`,
      );
    }
    // Keep what was granted before (a reconnect must not silently lose scopes tools rely on) — as far as the app still
    // allows it: a scope an admin has withdrawn since is not asked for again.
    const allowed = [...app.allowedScopes, ...requestedScopes(provider, [])];
    const kept = (existing?.scopes ?? []).filter((scope) => missingScopes(allowed, [scope], provider).length === 0);
    const scopes = [...new Set([...kept, ...wanted])];
    const codeVerifier = provider.pkce === 'unsupported' ? undefined : randomBytes(48).toString('base64url');
    const base: Omit<ConnectState, 'expiresAt' | 'scopes'> = {
      tenantId: actor.tenantId,
      tenantSlug: actor.tenantSlug,
      userId,
      providerId,
      settings: settingsDigest(app.settings),
      ...(codeVerifier ? { codeVerifier } : {}),
      ...(input.returnTo ? { returnTo: input.returnTo } : {}),
      ...(input.elicitationId ? { elicitationId: input.elicitationId } : {}),
    };
    let request;
    let created;
    try {
      const requested = requestedScopes(provider, scopes);
      created = await this.states.create({ ...base, scopes: requested });
      request = buildAuthorizationUrl(provider, {
        clientId: app.clientId,
        redirectUri: this.callbackUrl,
        state: created.state,
        scopes,
        params: app.settings,
        ...(codeVerifier ? { codeChallenge: pkceChallenge(codeVerifier) } : {}),
      });
    } catch (error) {
      if (error instanceof ProviderError) throw new ConnectionsError('invalid_settings', error.message);
      throw error;
    }
    await this.record(actor.tenantId, {
      actor: actorLabel(actor),
      action: 'connection.authorize_started',
      target: { type: 'provider', id: providerId },
      outcome: 'success',
      requestId,
      metadata: { providerId, scopes: request.scopes, pkce: request.pkce, reconnect: existing !== null },
    });
    return { authorizationUrl: request.url, expiresAt: created.expiresAt, scopes: request.scopes };
  }

  /**
   * Completes a connect flow on the provider's redirect back, for the signed-in person `userId` (the browser's
   * console session). The state must be known, unused, unexpired and this person's; the code is exchanged with the
   * PKCE verifier; the tokens are sealed and the connection (re)written. Every refusal is audited and thrown as a
   * ConnectionsError (`invalid_state`, `exchange_failed`, `provider_unreachable`).
   */
  async complete(
    userId: string | undefined,
    callback: { state?: string | undefined; code?: string | undefined; error?: string | undefined },
    requestId?: string,
  ): Promise<{
    connection: ConnectionRecord;
    tenantSlug: string;
    returnTo?: string;
    elicitationId?: string;
    created: boolean;
  }> {
    const consumed = await this.states.consume(callback.state ?? '');
    const actor = userId ? { type: 'user' as const, id: userId } : { type: 'anonymous' as const };
    if (consumed.kind === 'unknown') {
      // No tenant to charge it to: the platform chain keeps the evidence.
      await this.record(PLATFORM_CHAIN, {
        actor,
        action: 'connection.callback_refused',
        outcome: 'denied',
        requestId,
        metadata: { reason: 'unknown_state' },
      });
      throw new ConnectionsError('invalid_state', 'This connection link is not valid. Start connecting again.');
    }
    const state = consumed.state;
    const refuse = async (reason: string, message: string): Promise<never> => {
      await this.record(state.tenantId, {
        actor,
        action: 'connection.callback_refused',
        target: { type: 'provider', id: state.providerId },
        outcome: 'denied',
        requestId,
        metadata: { reason, providerId: state.providerId, flowUserId: state.userId },
      });
      throw new ConnectionsError('invalid_state', message);
    };
    if (consumed.kind === 'replayed')
      return refuse('state_replayed', 'This connection link was already used. Start connecting again.');
    if (consumed.kind === 'expired')
      return refuse('state_expired', 'This connection link has expired. Start connecting again.');
    if (!userId) return refuse('no_session', 'Sign in to Gatehouse in this browser, then connect again.');
    if (state.userId !== userId)
      return refuse('state_wrong_user', 'This connection was started by someone else. Start connecting yourself.');

    const provider = oauth2Provider(state.providerId);
    const fail = async (reason: string, message: string, code: ConnectionsErrorCode) => {
      await this.record(state.tenantId, {
        actor,
        action: 'connection.failed',
        target: { type: 'provider', id: state.providerId },
        outcome: 'failure',
        requestId,
        metadata: { reason, providerId: state.providerId },
      });
      return new ConnectionsError(code, message, { returnTo: state.returnTo });
    };
    if (callback.error !== undefined || !callback.code) {
      const code = /^[\w.-]{1,64}$/.test(callback.error ?? '') ? callback.error! : 'no_code';
      throw await fail(
        `provider_error:${code}`,
        code === 'access_denied'
          ? `You declined at ${provider.name}; nothing was connected.`
          : `${provider.name} did not authorize the connection (${code}).`,
        code === 'access_denied' ? 'connection_declined' : 'exchange_failed',
      );
    }
    const { app, member } = await withTenant(this.db, state.tenantId, async (tx) => ({
      app: await new ProviderAppRepository(tx).find(state.tenantId, state.providerId),
      member: await new MembershipRepository(tx).find(state.tenantId, userId),
    }));
    if (!member) return refuse('not_a_member', 'You are no longer a member of this organisation.');
    if (!app) throw await fail('provider_not_configured', notConfigured(provider).message, 'exchange_failed');
    // The code (and the PKCE verifier) go only where the flow started: not to a place an admin named since.
    if (state.settings !== undefined && state.settings !== settingsDigest(app.settings))
      throw await fail(
        'app_settings_changed',
        `This organisation's ${provider.name} settings changed while you were connecting; nothing was sent. Start connecting again.`,
        'exchange_failed',
      );
    let client;
    try {
      client = await this.clientCredentials(app);
    } catch (error) {
      if (error instanceof ConnectionsError) throw await fail(error.code, error.message, error.code);
      throw error;
    }

    let tokens: TokenSet;
    let accountId: string;
    let accountLabel: string | undefined;
    try {
      const grant = {
        grant: 'authorization_code' as const,
        code: callback.code,
        redirectUri: this.callbackUrl,
        ...(state.codeVerifier ? { codeVerifier: state.codeVerifier } : {}),
      };
      const response = await this.http.send(buildTokenRequest(provider, grant, client, app.settings));
      tokens = readTokenResponse(provider, response.json, state.scopes);
      if (response.status >= 400) throw refusedBy(provider, response);
      let accountSource: unknown = response.json;
      if (provider.accountId.from === 'user_info') {
        const infoRequest = buildUserInfoRequest(provider, tokens.accessToken, app.settings);
        if (!infoRequest) throw new ProviderError('account_id_missing', `${provider.name} has no user-info endpoint`);
        const info = await this.http.send(infoRequest);
        if (info.status >= 400) throw refusedBy(provider, info, 'user-info');
        accountSource = info.json;
      }
      accountId = readAccountId(provider, accountSource);
      accountLabel = readAccountLabel(provider, accountSource);
    } catch (error) {
      if (error instanceof ProviderError)
        throw await fail(
          'exchange_refused',
          `${provider.name} refused the connection: ${error.message}.`,
          'exchange_failed',
        );
      if (error instanceof ConnectionsError) throw await fail(error.code, error.message, 'provider_unreachable');
      throw error;
    }

    const key = { tenantId: state.tenantId, userId, providerId: state.providerId };
    let saved: Awaited<ReturnType<ConnectionRepository['upsert']>>;
    try {
      const sealing = await this.vault.prepare(state.tenantId);
      saved = await withRedisLock(this.redis, this.lockKey(key), REFRESH_LOCK, () =>
        // The row, its sealed tokens and the record commit together: if sealing fails nothing changed — a re-connect
        // leaves the connection that worked before, with its tokens, and no record of a change that did not happen.
        withTenant(this.db, state.tenantId, async (tx) => {
          const written = await new ConnectionRepository(tx).upsert({
            ...key,
            providerAppId: app.id,
            externalAccountId: accountId.slice(0, 255),
            accountLabel: accountLabel ?? null,
            scopes: tokens.scopes,
            accessExpiresAt: expiryOf(tokens),
          });
          await this.storeTokens(
            written.connection,
            { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken },
            app.settings,
            { store: SecretRepository.inTransaction(tx), key: sealing },
          );
          await this.audit.recordInTransaction(tx, [
            {
              tenantId: state.tenantId,
              actor,
              action: written.created ? 'connection.created' : 'connection.updated',
              target: { type: 'connection', id: written.connection.id },
              outcome: 'success',
              requestId,
              metadata: {
                providerId: state.providerId,
                externalAccountId: written.connection.externalAccountId,
                scopes: tokens.scopes,
                refreshToken: tokens.refreshToken !== undefined,
              },
            },
          ]);
          return written;
        }),
      );
    } catch (error) {
      if (error instanceof VaultError)
        throw await fail(
          `vault_${error.code}`,
          `Gatehouse could not store your ${provider.name} tokens (${error.code}), so nothing changed. Try again; if it keeps happening, an operator should check the vault keys (VAULT_KEYS).`,
          'tokens_unstorable',
        );
      if (error instanceof LockTimeoutError)
        throw await fail(
          'connection_busy',
          `Your ${provider.name} connection is being refreshed right now, so nothing changed. Try connecting again in a moment.`,
          'connection_busy',
        );
      throw error;
    }
    return {
      connection: saved.connection,
      tenantSlug: state.tenantSlug,
      created: saved.created,
      ...(state.returnTo ? { returnTo: state.returnTo } : {}),
      ...(state.elicitationId ? { elicitationId: state.elicitationId } : {}),
    };
  }

  /** What the connect page shows: the provider, whether the tenant set it up, and the person's connection. */
  async describe(
    actor: Actor,
    providerId: string,
  ): Promise<{
    providerName: string;
    allowedScopes: string[] | null;
    authorizationOrigin: string | null;
    connection: ConnectionRecord | null;
  }> {
    const userId = personOf(actor);
    const provider = oauth2Provider(providerId);
    const { app, connection } = await withTenant(this.db, actor.tenantId, async (tx) => ({
      app: await new ProviderAppRepository(tx).find(actor.tenantId, providerId),
      connection: await new ConnectionRepository(tx).find({ tenantId: actor.tenantId, userId, providerId }),
    }));
    let authorizationOrigin: string | null = null;
    if (app) {
      try {
        authorizationOrigin = new URL(resolveProviderUrls(provider, app.settings).authorizationUrl).origin;
      } catch (error) {
        if (!(error instanceof ProviderError)) throw error;
      }
    }
    return { providerName: provider.name, allowedScopes: app?.allowedScopes ?? null, authorizationOrigin, connection };
  }

  /** The acting person's connections in the tenant. */
  async list(actor: Actor): Promise<ConnectionView[]> {
    const userId = personOf(actor);
    const rows = await withTenant(this.db, actor.tenantId, (tx) =>
      new ConnectionRepository(tx).listForUser(actor.tenantId, userId),
    );
    return rows.map((connection) => ({ connection, providerName: providerDisplayName(connection.providerId) }));
  }

  /**
   * Disconnects the acting person from `providerId`: revokes at the provider where it can (best effort — the
   * connection goes either way), then deletes the row; a trigger destroys the sealed tokens in the same
   * transaction. Returns whether the provider confirmed the revocation.
   */
  async disconnect(actor: Actor, providerId: string, requestId?: string): Promise<{ revokedAtProvider: boolean }> {
    const userId = personOf(actor);
    const key = { tenantId: actor.tenantId, userId, providerId };
    return withRedisLock(this.redis, this.lockKey(key), REFRESH_LOCK, async () => {
      const { connection, app } = await withTenant(this.db, actor.tenantId, async (tx) => ({
        connection: await new ConnectionRepository(tx).find(key),
        app: await new ProviderAppRepository(tx).find(actor.tenantId, providerId),
      }));
      if (!connection)
        throw new ConnectionsError('not_connected', `You have no ${providerDisplayName(providerId)} connection.`);
      const revocation = app ? await this.revokeAtProvider(connection, app) : 'no_app';
      await withTenant(this.db, actor.tenantId, async (tx) => {
        await new ConnectionRepository(tx).delete(key);
        await this.audit.recordInTransaction(tx, [
          {
            tenantId: actor.tenantId,
            actor: actorLabel(actor),
            action: 'connection.deleted',
            target: { type: 'connection', id: connection.id },
            outcome: 'success',
            requestId,
            metadata: { providerId, revocation },
          },
        ]);
      });
      return { revokedAtProvider: revocation === 'revoked' };
    });
  }

  private async revokeAtProvider(connection: ConnectionRecord, app: ProviderAppRecord): Promise<string> {
    const provider = oauth2Provider(connection.providerId);
    if (!provider.revocation) return 'unsupported';
    let tokens: StoredTokens | null;
    try {
      tokens = await this.readTokens(connection);
    } catch (error) {
      // Tokens nobody can open are revoked by deleting them: the person can always disconnect.
      if (error instanceof ConnectionsError && error.code === 'tokens_unreadable') return 'tokens_unreadable';
      throw error;
    }
    if (!tokens) return 'no_tokens';
    if (issuedElsewhere(tokens, app.settings)) return 'app_settings_changed';
    try {
      const client = await this.clientCredentials(app);
      let token =
        provider.revocation.token === 'access_token' ? tokens.accessToken : (tokens.refreshToken ?? tokens.accessToken);
      // An endpoint that takes only the access token refuses an expired one, and the grant (with its refresh token)
      // would live on at the provider: revoke a fresh one instead. Nothing is stored — the connection is going.
      const expired = connection.accessExpiresAt !== null && connection.accessExpiresAt.getTime() <= Date.now();
      if (provider.revocation.token === 'access_token' && expired && tokens.refreshToken && provider.refresh.supported)
        token =
          (await this.refreshedForRevocation(provider, tokens.refreshToken, client, app).catch(() => undefined)) ??
          token;
      const request = buildRevocationRequest(provider, token, client, app.settings);
      if (!request) return 'unsupported';
      const response = await this.http.send(request);
      // A 2xx that says no in its body (Slack's `auth.revoke`: HTTP 200 with `ok: false`) revoked nothing.
      const body = response.json as { ok?: unknown; error?: unknown } | undefined;
      if (response.status >= 300 || body?.ok === false || typeof body?.error === 'string')
        return `refused_${refusalCode(response)}`;
      return 'revoked';
    } catch (error) {
      if (error instanceof ConnectionsError)
        return error.code === 'provider_unreachable' || error.code === 'response_too_large'
          ? 'unreachable'
          : error.code;
      if (error instanceof ProviderError) return 'unreachable';
      throw error;
    }
  }

  /**
   * Revokes at the provider, best effort, every connection made with the tenant's app for `providerId` — before the
   * app (and with it every connection) is deleted, so the grants do not outlive it there. A few at a time, for at most
   * `budgetMs`: what is not done by then is left to the provider's own expiry. Says how many there were and how many
   * the provider confirmed.
   */
  async revokeAllAtProvider(
    tenantId: string,
    providerId: string,
    budgetMs = 5_000,
  ): Promise<{ connections: number; revokedAtProvider: number }> {
    const { app, connections } = await withTenant(this.db, tenantId, async (tx) => ({
      app: await new ProviderAppRepository(tx).find(tenantId, providerId),
      connections: await new ConnectionRepository(tx).listForProvider(tenantId, providerId),
    }));
    let revoked = 0;
    if (!app) return { connections: connections.length, revokedAtProvider: 0 };
    const waiting = [...connections];
    const deadline = Date.now() + budgetMs;
    const revokeNext = async (): Promise<void> => {
      for (let next = waiting.shift(); next && Date.now() < deadline; next = waiting.shift()) {
        const outcome = await this.revokeAtProvider(next, app).catch(() => 'failed');
        if (outcome === 'revoked') revoked += 1;
      }
    };
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(Array.from({ length: 4 }, revokeNext)),
      new Promise((resolve) => (timer = setTimeout(resolve, budgetMs))),
    ]);
    clearTimeout(timer);
    waiting.length = 0;
    return { connections: connections.length, revokedAtProvider: revoked };
  }

  /** A fresh access token from `refreshToken`, for revoking the grant only; undefined if the provider refuses. */
  private async refreshedForRevocation(
    provider: OAuth2Provider,
    refreshToken: string,
    client: { clientId: string; clientSecret: string },
    app: ProviderAppRecord,
  ): Promise<string | undefined> {
    const grant = { grant: 'refresh_token' as const, refreshToken };
    const response = await this.http.send(buildTokenRequest(provider, grant, client, app.settings));
    if (response.status >= 400) return undefined;
    try {
      return readTokenResponse(provider, response.json, [], 'refresh_token').accessToken;
    } catch (error) {
      if (error instanceof ProviderError) return undefined;
      throw error;
    }
  }

  // ---------------------------------------------------------------------------------------------- tokens

  /**
   * A fresh access token for (tenant, person, provider) covering `scopes`, refreshed first when it is about to
   * expire — single flight across processes, so concurrent callers cause one refresh — or the typed reason why not,
   * with the page that fixes it.
   */
  async accessToken(request: TokenRequest): Promise<TokenResult> {
    const provider = oauth2Provider(request.providerId);
    const key = { tenantId: request.tenant.id, userId: request.userId, providerId: request.providerId };
    const current = await this.current(key, request.authorize?.serverId);
    if (!current.member) return NOT_A_MEMBER;
    const refusal = request.authorize?.refusal({ role: current.role, server: current.server });
    if (refusal) return { ok: false, reason: 'not_allowed', message: refusal };
    const found = current.found;
    const unusable = this.unusable(provider, request, found?.connection ?? null);
    if (unusable) return unusable;
    const { connection: live, sealedTokens } = found!;
    if (!this.expiring(live)) return this.tokenOf(provider, request, live, sealedTokens);
    return this.refreshes.run(live.id, () => this.refresh(provider, request, live));
  }

  /**
   * The provider refused `rejected` (HTTP 401) before it expired — revoked early, or the provider's own clocks: a fresh
   * token may well work (Google: refresh first, send the person back only if that fails). Under the connection's
   * lock: a token already replaced (another call refreshed, the person reconnected) is answered as it is; otherwise
   * the refresh grant runs now, and its refusal marks the connection `needs_reauth` as an expiry's would. Undefined
   * when there is nothing to refresh with (no refresh token, a provider without refresh): the caller reports the
   * rejection (`reportRejected`).
   */
  async refreshRejected(request: TokenRequest, rejected: string): Promise<TokenResult | undefined> {
    const provider = oauth2Provider(request.providerId);
    if (!provider.refresh.supported) return undefined;
    return this.underRefreshLock(provider, request, async (connection, sealedTokens) => {
      const tokens = await this.openTokens(connection, sealedTokens);
      // Replaced meanwhile (another call refreshed it, the person reconnected): the new one is the answer.
      if (tokens && tokens.accessToken !== rejected) return this.tokenOf(provider, request, connection, sealedTokens);
      if (!tokens?.refreshToken) return undefined;
      // A token this very path issued after an earlier 401, refused too: the provider refuses fresh tokens (its
      // clocks, a revoked grant it still refreshes) — refreshing again would only repeat it, call after call.
      const marker = `${this.options.prefix}:connection:${connection.id}:issued-after-401`;
      if ((await this.redis.get(marker)) === shortDigest(rejected)) return undefined;
      const refreshed = await this.refreshNow(provider, request, connection);
      if (refreshed.ok) await this.redis.set(marker, shortDigest(refreshed.accessToken), 'EX', 300);
      return refreshed;
    });
  }

  /**
   * Runs `decide` under the connection's refresh lock, on what is committed now — never what this process remembers:
   * its notice of another process's refresh (or the person's reconnect) may still be on its way, and a refresh from a
   * stale row would spend a refresh token the provider has already rotated. A person no longer a member, or a
   * connection now unusable, is answered first; a lock not had in time means the provider is slow to refresh.
   */
  private async underRefreshLock<T extends TokenResult | undefined>(
    provider: OAuth2Provider,
    request: TokenRequest,
    decide: (connection: ConnectionRecord, sealedTokens: Buffer | null) => Promise<T>,
  ): Promise<TokenResult | T> {
    const key = { tenantId: request.tenant.id, userId: request.userId, providerId: request.providerId };
    try {
      return await withRedisLock(this.redis, this.lockKey(key), REFRESH_LOCK, async () => {
        const current = await findConnectionWithTokens(this.db, key);
        if (!current.member) return NOT_A_MEMBER;
        const unusable = this.unusable(provider, request, current.found?.connection ?? null);
        if (unusable) return unusable;
        return decide(current.found!.connection, current.found!.sealedTokens);
      });
    } catch (error) {
      if (error instanceof LockTimeoutError)
        return {
          ok: false,
          reason: 'provider_unavailable',
          message: `${provider.name} is slow to refresh; try again.`,
        };
      throw error;
    }
  }

  /**
   * Membership and the connection as it is now with its sealed tokens: one round trip per tool call (see
   * @gatehouse/db sql.ts).
   */
  private async current(key: ConnectionKey, serverId?: string): Promise<CurrentAccess> {
    const cache = this.options.accessCache;
    if (!cache) return findConnectionWithTokens(this.db, key, serverId);
    let read: CurrentAccess | undefined;
    const remembered = await cache.read(
      `${key.tenantId} ${key.userId} ${key.providerId} ${serverId ?? ''}`,
      async () => {
        read = await findConnectionWithTokens(this.db, key, serverId);
        return read.member && read.found ? read : undefined;
      },
    );
    return remembered ?? read!;
  }

  /**
   * Whether `accessToken` would have to say no (not connected, missing scopes, needs reauthorization), without
   * touching tokens or the provider (e.g. after the provider refused a token). Undefined when usable.
   */
  async check(request: TokenRequest): Promise<Exclude<TokenResult, { ok: true }> | undefined> {
    const provider = oauth2Provider(request.providerId);
    const key = { tenantId: request.tenant.id, userId: request.userId, providerId: request.providerId };
    const current = await this.current(key);
    if (!current.member) return NOT_A_MEMBER;
    return this.unusable(provider, request, current.found?.connection ?? null);
  }

  /**
   * The provider refused `accessToken` (HTTP 401 from its API): the connection needs the person again — unless the
   * token was replaced meanwhile (a refresh or reconnect by another call), in which case nothing changes. Audited.
   */
  async reportRejected(tenantId: string, connectionId: string, accessToken: string): Promise<boolean> {
    const row = await this.rowStillHolding(tenantId, connectionId, accessToken);
    if (!row) return false;
    return this.changeRecorded(
      tenantId,
      connectionId,
      (repository) => repository.markNeedsReauth(tenantId, connectionId, row.tokenVersion),
      'connection.token_rejected',
      { providerId: row.providerId, status: 'needs_reauth' },
    );
  }

  /**
   * The provider refused `accessToken` for want of a scope (HTTP 403 saying so) that the stored grant claims: the
   * grant is recorded without `scopes` (the ones the refused call needed) and any scope that covers them, so the
   * person is asked to grant them again rather than refused call after call — unless the token was replaced
   * meanwhile. Audited.
   */
  async reportScopesRefused(
    tenantId: string,
    connectionId: string,
    accessToken: string,
    scopes: readonly string[],
  ): Promise<boolean> {
    const row = await this.rowStillHolding(tenantId, connectionId, accessToken);
    if (!row) return false;
    // Every stored scope that would cover one of them goes (GitHub's `repo` covers `public_repo`).
    const provider = oauth2Provider(row.providerId);
    const after = row.scopes.filter((held) =>
      scopes.every((needed) => missingScopes([held], [needed], provider).length > 0),
    );
    if (after.length === row.scopes.length) return false;
    return this.changeRecorded(
      tenantId,
      connectionId,
      (repository) => repository.narrowScopes(tenantId, connectionId, row.tokenVersion, after),
      'connection.scopes_refused',
      { providerId: row.providerId, scopesBefore: row.scopes, scopesAfter: after },
    );
  }

  /**
   * A provider's refusal acted on: `change` (conditional on the connection's token version) and its audit record
   * commit together; false when the change did not apply (the tokens changed meanwhile), and nothing is recorded.
   */
  private changeRecorded(
    tenantId: string,
    connectionId: string,
    change: (repository: ConnectionRepository) => Promise<boolean>,
    action: string,
    metadata: Record<string, unknown>,
  ): Promise<boolean> {
    return withTenant(this.db, tenantId, async (tx) => {
      if (!(await change(new ConnectionRepository(tx)))) return false;
      await this.audit.recordInTransaction(tx, [
        {
          tenantId,
          actor: { type: 'system' },
          action,
          target: { type: 'connection', id: connectionId },
          outcome: 'failure',
          metadata,
        },
      ]);
      return true;
    });
  }

  /**
   * The connection's row if its stored access token is still `accessToken`. Read before any transaction, not inside
   * one: the vault reads on a connection of its own, and a burst of refusals holding every pooled connection in a
   * transaction would leave none for it. The version read here makes a later change conditional: a refresh or
   * reconnect in between (a new token) is never marked.
   */
  private async rowStillHolding(tenantId: string, connectionId: string, accessToken: string) {
    const row = await withTenant(this.db, tenantId, (tx) =>
      tx.connection.findFirst({ where: { tenantId, id: connectionId } }),
    );
    if (!row) return undefined;
    const stored = await this.readTokens({ tenantId, id: connectionId, providerId: row.providerId }).catch(
      (error: unknown) => {
        if (error instanceof ConnectionsError) return null;
        throw error;
      },
    );
    return stored?.accessToken === accessToken ? row : undefined;
  }

  private unusable(
    provider: OAuth2Provider,
    request: TokenRequest,
    connection: ConnectionRecord | null,
  ): Exclude<TokenResult, { ok: true }> | undefined {
    const fix = (reason: 'not_connected' | 'missing_scopes' | 'needs_reauth', message: string, missing: string[]) => ({
      ok: false as const,
      reason,
      message,
      missingScopes: missing,
      connectUrl: connectPageUrl(this.options.publicApiUrl, request.tenant.slug, request.providerId, request.scopes),
    });
    if (!connection)
      return fix('not_connected', `Connect your ${provider.name} account to use this.`, [...request.scopes]);
    if (connection.status === 'needs_reauth')
      return fix('needs_reauth', `Your ${provider.name} connection stopped working; connect it again.`, []);
    const missing = missingScopes(connection.scopes, request.scopes, provider);
    if (missing.length > 0)
      return fix(
        'missing_scopes',
        `Your ${provider.name} connection lacks ${missing.join(', ')}; connect again to grant ${missing.length === 1 ? 'it' : 'them'}.`,
        missing,
      );
    return undefined;
  }

  /** Whether the access token expires within the skew (at most a quarter of its lifetime, so short tokens work). */
  private expiring(connection: ConnectionRecord, now = Date.now()): boolean {
    if (!connection.accessExpiresAt) return false;
    const expires = connection.accessExpiresAt.getTime();
    const lifetime = Math.max(0, expires - connection.tokensIssuedAt.getTime());
    return expires - now <= Math.min(this.refreshSkewMs, lifetime / 4);
  }

  private async tokenOf(
    provider: OAuth2Provider,
    request: TokenRequest,
    connection: ConnectionRecord,
    sealedTokens: Buffer | null,
  ): Promise<TokenResult> {
    const [tokens, cachedSettings] = await Promise.all([
      this.openTokens(connection, sealedTokens),
      this.settingsOf(connection),
    ]);
    // Sealed under other settings than those remembered: read them afresh before judging (the app may have been
    // changed back, and the person reconnected, within the cache's seconds).
    const settings =
      tokens && issuedElsewhere(tokens, cachedSettings) ? await this.settingsOf(connection, true) : cachedSettings;
    // Its tokens are gone (destroyed with a vault key, say): only connecting again mends it — this person's alone.
    if (!tokens) return this.unusable(provider, request, { ...connection, status: 'needs_reauth' })!;
    if (issuedElsewhere(tokens, settings))
      return this.needsReauth(provider, request, connection, 'app_settings_changed');
    await this.touch(connection);
    return {
      ok: true,
      accessToken: tokens.accessToken,
      connectionId: connection.id,
      scopes: connection.scopes,
      expiresAt: connection.accessExpiresAt,
      settings,
    };
  }

  /** The provider app's settings, cached briefly per app (they change only when an admin edits the app). */
  private async settingsOf(connection: ConnectionRecord, fresh = false): Promise<Record<string, string>> {
    const cached = this.settingsCache.get(connection.providerAppId);
    if (!fresh && cached && cached.until > Date.now()) return cached.settings;
    const app = await withTenant(this.db, connection.tenantId, (tx) =>
      tx.providerApp.findFirst({ where: { tenantId: connection.tenantId, id: connection.providerAppId } }),
    );
    const settings = (app?.settings ?? {}) as Record<string, string>;
    if (this.settingsCache.size > 10_000) this.settingsCache.clear();
    this.settingsCache.set(connection.providerAppId, { settings, until: Date.now() + 5_000 });
    return settings;
  }

  private refresh(provider: OAuth2Provider, request: TokenRequest, seen: ConnectionRecord): Promise<TokenResult> {
    return this.underRefreshLock(provider, request, async (connection, sealedTokens) =>
      // Another process may have refreshed (or the person reconnected) while we waited for the lock.
      connection.tokenVersion !== seen.tokenVersion || !this.expiring(connection)
        ? this.tokenOf(provider, request, connection, sealedTokens)
        : this.refreshNow(provider, request, connection),
    );
  }

  /** Runs the refresh grant; the caller holds the connection's lock. */
  private async refreshNow(
    provider: OAuth2Provider,
    request: TokenRequest,
    connection: ConnectionRecord,
  ): Promise<TokenResult> {
    const tenantId = connection.tenantId;
    const stored = await this.readTokens(connection);
    const app = await withTenant(this.db, tenantId, (tx) =>
      new ProviderAppRepository(tx).find(tenantId, connection.providerId),
    );
    const reauth = (reason: string): Promise<TokenResult> => {
      this.options.onRefresh?.(connection.providerId, 'rejected');
      return this.needsReauth(provider, request, connection, reason);
    };
    if (!app) return reauth('provider_not_configured');
    if (!stored?.refreshToken || !provider.refresh.supported) return reauth('no_refresh_token');
    if (issuedElsewhere(stored, app.settings)) return reauth('app_settings_changed');

    let response: OutboundResponse;
    try {
      response = await this.http.send(
        buildTokenRequest(
          provider,
          { grant: 'refresh_token', refreshToken: stored.refreshToken },
          await this.clientCredentials(app),
          app.settings,
        ),
      );
    } catch (error) {
      if (error instanceof ConnectionsError) {
        this.options.onRefresh?.(connection.providerId, 'unavailable');
        return { ok: false, reason: 'provider_unavailable', message: error.message };
      }
      throw error;
    }
    // 5xx and 429 are the provider's trouble, not a verdict on the grant: keep the connection, report it.
    if (response.status >= 500 || response.status === 429) {
      this.options.onRefresh?.(connection.providerId, 'unavailable');
      return {
        ok: false,
        reason: 'provider_unavailable',
        message: `${provider.name} could not refresh the token right now (HTTP ${response.status}).`,
      };
    }
    // The provider refused the organisation's app, not this person's grant (a rotated or wrong client secret): every
    // connection would fail alike, and each works again once an admin fixes the app — none is sent to reconnect.
    // (GitHub and Slack say so with HTTP 200 and an error body.)
    const refusal = appRefusal(response);
    if (refusal !== undefined) {
      this.options.onRefresh?.(connection.providerId, 'rejected');
      await this.audit.record({
        tenantId,
        actor: { type: 'system' },
        action: 'connection.refresh_failed',
        target: { type: 'connection', id: connection.id },
        outcome: 'failure',
        metadata: { providerId: connection.providerId, reason: refusal, status: connection.status },
      });
      return {
        ok: false,
        reason: 'provider_unavailable',
        message: `${provider.name} refused this organisation's app (${refusal}): an admin must check its client id and secret. Your connection is kept.`,
      };
    }
    let tokens: TokenSet;
    try {
      tokens = readTokenResponse(provider, response.json, connection.scopes, 'refresh_token');
      if (response.status >= 400) throw refusedBy(provider, response);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (error.code !== 'invalid_token_response') return reauth(error.code);
      const code = refusalCode(response);
      // No OAuth error at all (a block page from an edge in front of the provider, a redirect, a 404), or one that
      // says the provider is in trouble (Slack answers its outages with HTTP 200 and `internal_error`): nothing was
      // said about the person's grant — keep the connection, as for an outage.
      if (code.startsWith('http_') || PROVIDER_TROUBLE.has(code)) {
        this.options.onRefresh?.(connection.providerId, 'unavailable');
        return {
          ok: false,
          reason: 'provider_unavailable',
          message: `${provider.name} could not refresh the token right now (${code.startsWith('http_') ? `HTTP ${response.status}, no OAuth answer` : code}).`,
        };
      }
      return reauth(code);
    }
    const next: StoredTokens = {
      accessToken: tokens.accessToken,
      // Providers that rotate send a new refresh token; the others keep the old one valid.
      refreshToken: tokens.refreshToken ?? stored.refreshToken,
    };
    // Sealed before the row says so: a crash in between leaves the new tokens and a row that refreshes again. A
    // provider that rotates has already retired the old refresh token: a failed write is tried again before the new
    // one is lost (and the person sent to reconnect at the next refresh).
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.storeTokens(connection, next, app.settings);
        break;
      } catch (error) {
        if (error instanceof ConnectionsError || attempt === 3) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    this.options.onRefresh?.(connection.providerId, 'refreshed');
    const accessExpiresAt = expiryOf(tokens);
    // A refresh may narrow the grant (the person withdrew a scope at the provider) but never widens it beyond what the
    // person consented to. Compared as the provider compares (case, included scopes): a report in another spelling is
    // no narrowing. A response that reports no scopes (or none of these) is taken as no change: an empty answer is
    // more likely a quirk than a grant withdrawn whole, and taking it literally would send every call to reconnect.
    const kept = connection.scopes.filter((scope) => missingScopes(tokens.scopes, [scope], provider).length === 0);
    const scopes = kept.length > 0 ? kept : connection.scopes;
    await withTenant(this.db, tenantId, async (tx) => {
      await new ConnectionRepository(tx).recordRefresh(tenantId, connection.id, connection.tokenVersion, {
        accessExpiresAt,
        scopes,
      });
      await this.audit.recordInTransaction(tx, [
        {
          tenantId,
          actor: { type: 'system' },
          action: 'connection.refreshed',
          target: { type: 'connection', id: connection.id },
          outcome: 'success',
          metadata: {
            providerId: connection.providerId,
            rotated: tokens.refreshToken !== undefined,
            ...(scopes.length < connection.scopes.length
              ? { scopesBefore: connection.scopes, scopesAfter: scopes }
              : {}),
          },
        },
      ]);
    });
    await this.touch(connection);
    // Narrowed below what this call needs: the person grants it again rather than the provider refusing the call.
    const narrowed = this.unusable(provider, request, { ...connection, scopes });
    if (narrowed) return narrowed;
    return {
      ok: true,
      accessToken: next.accessToken,
      connectionId: connection.id,
      scopes,
      expiresAt: accessExpiresAt,
      settings: app.settings,
    };
  }

  // ---------------------------------------------------------------------------------------------- helpers

  private lockKey(key: { tenantId: string; userId: string; providerId: string }): string {
    return `${this.options.prefix}:connection-lock:${key.tenantId}:${key.userId}:${key.providerId}`;
  }

  private async clientCredentials(app: ProviderAppRecord) {
    let secret: Buffer | null;
    try {
      secret = await this.vault.getSecret(clientSecretContext(app.tenantId, app.id));
    } catch (error) {
      if (!(error instanceof VaultError)) throw error;
      throw new ConnectionsError(
        'client_secret_unreadable',
        `Gatehouse cannot open this organisation's ${providerDisplayName(app.providerId)} client secret (${error.code}): an admin should save it again, or an operator check the vault keys (VAULT_KEYS).`,
      );
    }
    if (!secret) throw new ConnectionsError('provider_not_configured', 'The provider app has no client secret.');
    return { clientId: app.clientId, clientSecret: secret.toString('utf8') };
  }

  private async readTokens(connection: SealedOwner): Promise<StoredTokens | null> {
    const sealed = await unsealed(connection, () =>
      this.vault.getSecret(connectionTokensContext(connection.tenantId, connection.id)),
    );
    return sealed ? (JSON.parse(sealed.toString('utf8')) as StoredTokens) : null;
  }

  /** Tokens read with the connection (`findConnectionWithTokens`), opened by the vault. */
  private async openTokens(connection: ConnectionRecord, sealed: Buffer | null): Promise<StoredTokens | null> {
    if (!sealed) return null;
    const opened = await unsealed(connection, () =>
      this.vault.decrypt(connectionTokensContext(connection.tenantId, connection.id), sealed),
    );
    return JSON.parse(opened.toString('utf8')) as StoredTokens;
  }

  /**
   * Marks the connection `needs_reauth` (if it is still the version seen; audited as `connection.refresh_failed`)
   * and answers with the page that mends it: only the person connecting again can.
   */
  private async needsReauth(
    provider: OAuth2Provider,
    request: TokenRequest,
    connection: ConnectionRecord,
    reason: string,
  ): Promise<TokenResult> {
    const tenantId = connection.tenantId;
    await withTenant(this.db, tenantId, async (tx) => {
      if (!(await new ConnectionRepository(tx).markNeedsReauth(tenantId, connection.id, connection.tokenVersion)))
        return;
      await this.audit.recordInTransaction(tx, [
        {
          tenantId,
          actor: { type: 'system' },
          action: 'connection.refresh_failed',
          target: { type: 'connection', id: connection.id },
          outcome: 'failure',
          metadata: { providerId: connection.providerId, reason, status: 'needs_reauth' },
        },
      ]);
    });
    return this.unusable(provider, request, { ...connection, status: 'needs_reauth' })!;
  }

  private storeTokens(
    connection: ConnectionRecord,
    tokens: { accessToken: string; refreshToken?: string | undefined },
    settings: Record<string, string>,
    /** Into a caller's transaction, with a key prepared before it began (`Vault.putSecretInto`). */
    into?: { store: Pick<SecretStore, 'upsert'>; key: PreparedKey },
  ) {
    const value: StoredTokens = {
      accessToken: tokens.accessToken,
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      settings: settingsDigest(settings),
    };
    const context = connectionTokensContext(connection.tenantId, connection.id);
    return (
      into
        ? this.vault.putSecretInto(into.store, into.key, context, JSON.stringify(value))
        : this.vault.putSecret(context, JSON.stringify(value))
    ).catch((error: unknown) => {
      // The connection was removed meanwhile (the person left the tenant, the app was deleted): the database keeps
      // no tokens for a connection that is gone (migration 20261213000000).
      if (isDatabaseError(error, (code) => code === '23503', /no longer exists/))
        throw new ConnectionsError(
          'not_connected',
          `Your ${providerDisplayName(connection.providerId)} connection was removed meanwhile; connect it again to use it.`,
        );
      throw error;
    });
  }

  /**
   * Records use for the console's "last used", at most once a minute per connection (no write per call). What this
   * process last wrote counts too: a remembered connection row still carries the time it was read with.
   */
  private async touch(connection: ConnectionRecord): Promise<void> {
    const now = new Date();
    const last = Math.max(connection.lastUsedAt?.getTime() ?? 0, this.touched.get(connection.id) ?? 0);
    if (now.getTime() - last < 60_000) return;
    if (this.touched.size >= 10_000) this.touched.clear();
    this.touched.set(connection.id, now.getTime());
    await withTenant(this.db, connection.tenantId, (tx) =>
      new ConnectionRepository(tx).touch(connection.tenantId, connection.id, now),
    );
  }

  private async record(tenantId: string, event: Omit<AuditEventInput, 'tenantId'>): Promise<void> {
    await this.audit.record({ ...event, tenantId });
  }
}

function personOf(actor: Actor): string {
  if (!actor.userId) throw new ConnectionsError('person_required', 'Connections belong to people; API keys have none.');
  return actor.userId;
}

function notConfigured(provider: OAuth2Provider): ConnectionsError {
  return new ConnectionsError(
    'provider_not_configured',
    `${provider.name} is not set up for this organisation yet; an admin must add its OAuth app first.`,
  );
}

function expiryOf(tokens: TokenSet): Date | null {
  return tokens.expiresInSeconds === undefined ? null : new Date(Date.now() + tokens.expiresInSeconds * 1000);
}

/** Token endpoint errors that refuse the client (the organisation's app) itself, whatever the HTTP status. */
const APP_REFUSALS = new Set([
  'invalid_client',
  // The app may not use refresh tokens (its registration at the provider), for every person alike.
  'unsupported_grant_type',
  'incorrect_client_credentials',
  'invalid_client_id',
  'bad_client_secret',
]);

/**
 * Token endpoint errors that report the provider's own trouble, not a verdict on the grant: OAuth's
 * `temporarily_unavailable` / `server_error` (RFC 6749 §4.1.2.1, which some token endpoints answer too) and the codes
 * Slack answers with HTTP 200 during an outage or a burst (its Web API's common errors).
 */
const PROVIDER_TROUBLE = new Set([
  'temporarily_unavailable',
  'server_error',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
  'ratelimited',
  'rate_limited',
]);

/** The code of a token endpoint answer that refuses the organisation's app, if it is one (a bare 401 too). */
function appRefusal(response: OutboundResponse): string | undefined {
  const code = refusalCode(response);
  return APP_REFUSALS.has(code) || code === 'http_401' ? code : undefined;
}

/** The provider's error code from an error answer, or its HTTP status; never the body itself. */
function refusalCode(response: OutboundResponse): string {
  const error = (response.json as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' && /^[\w.-]{1,64}$/.test(error) ? error : `http_${response.status}`;
}

function refusedBy(provider: OAuth2Provider, response: OutboundResponse, what = 'token'): ProviderError {
  return new ProviderError(
    'invalid_token_response',
    `${provider.name} refused the ${what} request: ${refusalCode(response)}`,
  );
}

/** What names a connection's sealed tokens. */
type SealedOwner = Pick<ConnectionRecord, 'tenantId' | 'id' | 'providerId'>;

/**
 * Opens a connection's sealed tokens; a vault refusal (a key version this process lacks, a damaged or moved blob)
 * becomes a clear `tokens_unreadable` — nothing is sent to the provider — instead of an unexpected error.
 */
async function unsealed<T>(connection: SealedOwner, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    if (!(error instanceof VaultError)) throw error;
    throw new ConnectionsError(
      'tokens_unreadable',
      `Gatehouse cannot open the stored ${providerDisplayName(connection.providerId)} tokens (${error.code}), so nothing was sent there. ` +
        'Connecting again replaces them; if it keeps happening, an operator should check the vault keys (VAULT_KEYS).',
    );
  }
}
