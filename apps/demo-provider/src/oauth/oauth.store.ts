import { randomUUID } from 'node:crypto';
import { digest, newSecret, s256, safeEqual } from '../secrets.js';
import { type Scope } from './scopes.js';

// Everything lives in memory and is lost on restart. Every method is synchronous on purpose: Node runs one at a
// time, so a check and the update that follows it (a code marked used, a refresh token rotated) cannot interleave
// with another request. Keep it that way: an `await` between lookup and update would reintroduce races.

const CODE_TTL_MS = 60_000;
const PENDING_TTL_MS = 10 * 60_000;

/** An authorization request waiting on the approval page. */
export interface PendingAuthorization {
  id: string;
  /** Bound to the browser by a cookie; must come back with the form. */
  csrf: string;
  clientId: string;
  redirectUri: string;
  scopes: Scope[];
  state: string | undefined;
  codeChallenge: string;
  expiresAt: number;
}

interface CodeRecord {
  clientId: string;
  redirectUri: string;
  userId: string;
  scopes: Scope[];
  codeChallenge: string;
  expiresAt: number;
  /** Set when the code is exchanged; a second exchange revokes what the first one issued. */
  grantId: string | undefined;
}

/** One consent: all tokens descending from one authorization code (a refresh-token "family"). */
interface Grant {
  clientId: string;
  userId: string;
  scopes: Scope[];
  revoked: boolean;
}

interface AccessTokenRecord {
  grantId: string;
  clientId: string;
  userId: string;
  scopes: Scope[];
  expiresAt: number;
  revoked: boolean;
}

interface RefreshTokenRecord {
  grantId: string;
  clientId: string;
  expiresAt: number;
  rotated: boolean;
}

export interface IssuedTokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope: string;
}

export type GrantOutcome =
  | { ok: true; tokens: IssuedTokens }
  | { ok: false; error: 'invalid_grant' | 'invalid_scope'; description: string; reuse?: true };

export type TokenCheck =
  { ok: true; userId: string; clientId: string; scopes: readonly Scope[] } | { ok: false; description: string };

export interface TokenLifetimes {
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
}

export class OAuthStore {
  private readonly pending = new Map<string, PendingAuthorization>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly grants = new Map<string, Grant>();
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();

  constructor(
    private readonly lifetimes: TokenLifetimes,
    private readonly now: () => number = Date.now,
  ) {}

  startAuthorization(request: Omit<PendingAuthorization, 'id' | 'csrf' | 'expiresAt'>): PendingAuthorization {
    const pending = { ...request, id: randomUUID(), csrf: newSecret('csrf'), expiresAt: this.now() + PENDING_TTL_MS };
    this.pending.set(pending.id, pending);
    return pending;
  }

  findAuthorization(id: string): PendingAuthorization | undefined {
    const pending = this.pending.get(id);
    return pending && pending.expiresAt > this.now() ? pending : undefined;
  }

  /** Consumes the pending request: one approval page submission, one answer. */
  finishAuthorization(id: string): void {
    this.pending.delete(id);
  }

  issueCode(from: PendingAuthorization, userId: string, scopes: Scope[]): string {
    const code = newSecret('dpac');
    this.codes.set(digest(code), {
      clientId: from.clientId,
      redirectUri: from.redirectUri,
      userId,
      scopes,
      codeChallenge: from.codeChallenge,
      expiresAt: this.now() + CODE_TTL_MS,
      grantId: undefined,
    });
    return code;
  }

  exchangeCode(input: { clientId: string; code: string; redirectUri: string; codeVerifier: string }): GrantOutcome {
    const record = this.codes.get(digest(input.code));
    if (!record || record.clientId !== input.clientId) return invalidGrant('unknown authorization code');
    if (record.grantId !== undefined) {
      // RFC 6749 §4.1.2: a replayed code revokes the tokens already issued for it.
      this.revokeGrant(record.grantId);
      return invalidGrant('authorization code already used; the tokens issued for it are revoked');
    }
    if (record.expiresAt <= this.now()) return invalidGrant('authorization code expired');
    if (record.redirectUri !== input.redirectUri) return invalidGrant('redirect_uri does not match the authorization');
    if (!safeEqual(s256(input.codeVerifier), record.codeChallenge)) {
      return invalidGrant('code_verifier does not match the code_challenge');
    }
    const grantId = randomUUID();
    record.grantId = grantId;
    this.grants.set(grantId, {
      clientId: record.clientId,
      userId: record.userId,
      scopes: record.scopes,
      revoked: false,
    });
    return { ok: true, tokens: this.issueTokens(grantId, record.scopes) };
  }

  /** Rotating refresh: the presented token is spent; presenting a spent token again revokes the whole grant. */
  refresh(input: { clientId: string; refreshToken: string; scopes: Scope[] | undefined }): GrantOutcome {
    const record = this.refreshTokens.get(digest(input.refreshToken));
    if (!record || record.clientId !== input.clientId) return invalidGrant('unknown refresh token');
    const grant = this.grants.get(record.grantId);
    if (record.rotated) {
      if (grant) grant.revoked = true;
      return { ...invalidGrant('refresh token already used; every token of this grant is revoked'), reuse: true };
    }
    if (!grant || grant.revoked) return invalidGrant('refresh token revoked');
    if (record.expiresAt <= this.now()) return invalidGrant('refresh token expired');
    const scopes = input.scopes ?? grant.scopes;
    if (!scopes.every((scope) => grant.scopes.includes(scope))) {
      return { ok: false, error: 'invalid_scope', description: 'scope exceeds what the grant allows' };
    }
    record.rotated = true;
    return { ok: true, tokens: this.issueTokens(record.grantId, scopes) };
  }

  /**
   * RFC 7009. A refresh token takes its whole grant with it; an access token goes alone. Tokens of other clients and
   * unknown tokens are left alone without saying so. Returns whether anything was revoked.
   */
  revoke(clientId: string, token: string, hint: string | undefined): boolean {
    const key = digest(token);
    const asAccess = (): boolean => {
      const record = this.accessTokens.get(key);
      if (!record || record.clientId !== clientId) return false;
      record.revoked = true;
      return true;
    };
    const asRefresh = (): boolean => {
      const record = this.refreshTokens.get(key);
      if (!record || record.clientId !== clientId) return false;
      this.revokeGrant(record.grantId);
      return true;
    };
    return hint === 'access_token' ? asAccess() || asRefresh() : asRefresh() || asAccess();
  }

  checkAccessToken(token: string): TokenCheck {
    const record = this.accessTokens.get(digest(token));
    if (!record) return { ok: false, description: 'unknown access token' };
    if (record.revoked || this.grants.get(record.grantId)?.revoked !== false) {
      return { ok: false, description: 'access token revoked' };
    }
    if (record.expiresAt <= this.now()) return { ok: false, description: 'access token expired' };
    return { ok: true, userId: record.userId, clientId: record.clientId, scopes: record.scopes };
  }

  /** Test hook: every access token issued so far is expired from now on. Returns how many were still live. */
  expireAccessTokens(): number {
    const now = this.now();
    let expired = 0;
    for (const record of this.accessTokens.values()) {
      if (record.expiresAt > now) expired += 1;
      record.expiresAt = Math.min(record.expiresAt, now);
    }
    return expired;
  }

  /**
   * Test hook: the person withdrew `scope` here (as on a provider's "connected apps" page): their grants and live
   * access tokens lose it from now on. Returns how many access tokens held it.
   */
  withdrawScope(userId: string, scope: Scope): number {
    let withdrawn = 0;
    for (const grant of this.grants.values())
      if (grant.userId === userId) grant.scopes = grant.scopes.filter((held) => held !== scope);
    for (const record of this.accessTokens.values()) {
      if (record.userId !== userId || !record.scopes.includes(scope)) continue;
      record.scopes = record.scopes.filter((held) => held !== scope);
      withdrawn += 1;
    }
    return withdrawn;
  }

  /** Drops records nobody can use any more, so a long-running demo does not grow without bound. */
  sweep(): void {
    const now = this.now();
    for (const map of [this.pending, this.codes, this.accessTokens, this.refreshTokens] as Map<
      string,
      { expiresAt: number }
    >[]) {
      for (const [key, record] of map) if (record.expiresAt <= now) map.delete(key);
    }
    const live = new Set([...this.refreshTokens.values()].map((r) => r.grantId));
    for (const record of this.accessTokens.values()) live.add(record.grantId);
    for (const record of this.codes.values()) if (record.grantId) live.add(record.grantId);
    for (const grantId of this.grants.keys()) if (!live.has(grantId)) this.grants.delete(grantId);
  }

  private issueTokens(grantId: string, scopes: Scope[]): IssuedTokens {
    const grant = this.grants.get(grantId)!;
    const now = this.now();
    const accessToken = newSecret('dpat');
    const refreshToken = newSecret('dprt');
    this.accessTokens.set(digest(accessToken), {
      grantId,
      clientId: grant.clientId,
      userId: grant.userId,
      scopes,
      expiresAt: now + this.lifetimes.accessTokenSeconds * 1000,
      revoked: false,
    });
    this.refreshTokens.set(digest(refreshToken), {
      grantId,
      clientId: grant.clientId,
      expiresAt: now + this.lifetimes.refreshTokenSeconds * 1000,
      rotated: false,
    });
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: this.lifetimes.accessTokenSeconds,
      refresh_token: refreshToken,
      scope: scopes.join(' '),
    };
  }

  private revokeGrant(grantId: string): void {
    const grant = this.grants.get(grantId);
    if (grant) grant.revoked = true;
  }
}

function invalidGrant(description: string): { ok: false; error: 'invalid_grant'; description: string } {
  return { ok: false, error: 'invalid_grant', description };
}
