import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, timingSafeEqual } from 'node:crypto';
import { OAuthModelRepository, type AccessCache, type Database, type MembershipRole } from '@gatehouse/db';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';

/**
 * Kinds whose id *is* a bearer credential (the opaque token value a client presents). They are stored under the
 * SHA-256 of the id and without their `jti`, so a database dump or backup hands out no usable token; the id is put
 * back when the library looks a token up by its value.
 */
const HASHED_KINDS = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'RegistrationAccessToken',
  'ClientCredentials',
  'InitialAccessToken',
]);

/** How a registered client's secret is stored: its SHA-256, never the secret (see `storedClientSecret`). */
const CLIENT_SECRET_HASH = 'sha256$';

/**
 * A client secret as stored: a client that registered with `client_secret_basic`/`_post` gets its secret once, in the
 * registration response; the row keeps only its digest (a random 256-bit secret needs no slow hash), so a database
 * dump or backup hands out no usable client credential. `clientSecretMatches` compares against it.
 */
export function storedClientSecret(secret: string): string {
  return secret.startsWith(CLIENT_SECRET_HASH) ? secret : digestOf(secret);
}

/**
 * Whether `presented` is the secret whose stored form is `stored` (a row from before hashing holds the secret itself).
 * The presented value is always hashed: the stored digest itself is no secret that works.
 */
export function clientSecretMatches(stored: string, presented: string): boolean {
  const expected = Buffer.from(storedClientSecret(stored));
  const actual = Buffer.from(digestOf(presented));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function digestOf(secret: string): string {
  return `${CLIENT_SECRET_HASH}${createHash('sha256').update(secret).digest('base64url')}`;
}

/**
 * Set around an access-token lookup by the MCP resource server: the adapter then reads, in the same round trip as
 * the token, its user's role in `tenantId` (left here; null: not a member) and the sign-in session the token is
 * bound to, which the library looks up next (served from here).
 */
export const memberLookup = new AsyncLocalStorage<MemberLookup>();

export interface MemberLookup {
  tenantId: string;
  role?: MembershipRole | null;
  /** The token's session by uid, as read with it (null: gone or expired). */
  session?: { uid: string; row: { payload: Record<string, unknown>; consumed: boolean } | null };
}

/** The longest client id stored (`oauth_models.client_id`, `oauth_consents.client_id`: varchar(2048)). */
export const MAX_CLIENT_ID_LENGTH = 2048;

/** What the MCP endpoint's token lookup reads in one statement. */
export type AccessTokenRow = NonNullable<Awaited<ReturnType<OAuthModelRepository['findAccessTokenWithRole']>>>;

/**
 * oidc-provider's storage in PostgreSQL, so that any api instance can continue a flow another one started and
 * tokens survive restarts. One adapter instance per model name (Session, Interaction, AuthorizationCode, …).
 */
export class PostgresAdapter implements Adapter {
  private readonly repository: OAuthModelRepository;
  private readonly hashed: boolean;

  constructor(
    private readonly kind: string,
    db: Database,
    /** Remembers the MCP endpoint's token lookups (AccessToken only). */
    private readonly accessTokens?: AccessCache<AccessTokenRow>,
  ) {
    this.repository = new OAuthModelRepository(db);
    this.hashed = HASHED_KINDS.has(kind);
  }

  /** The stored id: the token's SHA-256 for credential kinds, the id itself otherwise. */
  private key(id: string): string {
    return this.hashed ? `sha256:${createHash('sha256').update(id).digest('base64url')}` : id;
  }

  /** What is stored: without the credential itself for credential kinds, a client's secret as its digest. */
  private stored(payload: AdapterPayload): AdapterPayload {
    if (this.kind === 'Client' && typeof payload.client_secret === 'string')
      return { ...payload, client_secret: storedClientSecret(payload.client_secret) };
    if (!this.hashed) return payload;
    const { jti: _credential, ...rest } = payload;
    return rest;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    // PostgreSQL stores no NUL character (U+0000), in text or JSON: a request that carries one (a client name, a
    // `state`) is the client's error, answered as such — not the database's refusal as a server error.
    if (id.includes('\u0000') || containsNul(payload)) {
      const description = 'a parameter contains the NUL character (U+0000)';
      throw this.kind === 'Client'
        ? new errors.InvalidClientMetadata(description)
        : new errors.InvalidRequest(description);
    }
    const clientId = payload.clientId ?? (this.kind === 'Client' ? payload.client_id : undefined);
    // Client ids are stored in up to 2048 characters (a metadata document's URL may be longer): a longer one is not
    // a client this server can keep anything for.
    if (typeof clientId === 'string' && clientId.length > MAX_CLIENT_ID_LENGTH)
      throw new errors.InvalidClient(`client_id longer than ${MAX_CLIENT_ID_LENGTH} characters`);
    await this.repository.upsert(
      this.kind,
      this.key(id),
      this.stored(payload),
      expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      {
        grantId: payload.grantId,
        uid: payload.uid,
        userCode: payload.userCode,
        accountId: payload.accountId,
        clientId: typeof clientId === 'string' ? clientId : undefined,
      },
    );
  }

  private toPayload(row: Awaited<ReturnType<OAuthModelRepository['find']>>, id?: string): AdapterPayload | undefined {
    if (!row) return undefined;
    let payload = row.payload as AdapterPayload;
    if (this.hashed && id !== undefined) payload = { ...payload, jti: id };
    // The library only asks whether `consumed` is set; the time is kept in its own column.
    return row.consumed ? { ...payload, consumed: true } : payload;
  }

  async find(id: string): Promise<AdapterPayload | undefined> {
    // Nothing stored can have a NUL in its id (see upsert): an id with one names nothing.
    if (id.includes('\u0000')) return undefined;
    const lookup = this.kind === 'AccessToken' ? memberLookup.getStore() : undefined;
    if (!lookup) return this.toPayload(await this.repository.find(this.kind, this.key(id)), id);
    const key = this.key(id);
    const load = () => this.repository.findAccessTokenWithRole(key, lookup.tenantId);
    const row = await (this.accessTokens ? this.accessTokens.read(`${lookup.tenantId} ${key}`, load) : load());
    lookup.role = row?.role ?? null;
    const sessionUid = row?.payload['sessionUid'];
    if (row?.payload['expiresWithSession'] === true && typeof sessionUid === 'string')
      lookup.session = { uid: sessionUid, row: row.session };
    return this.toPayload(row, id);
  }

  async findByUid(uid: string): Promise<AdapterPayload | undefined> {
    if (uid.includes('\u0000')) return undefined;
    const read = this.kind === 'Session' ? memberLookup.getStore()?.session : undefined;
    if (read?.uid === uid) return this.toPayload(read.row ?? undefined);
    return this.toPayload(await this.repository.findByUid(this.kind, uid));
  }

  async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    if (userCode.includes('\u0000')) return undefined;
    return this.toPayload(await this.repository.findByUserCode(this.kind, userCode));
  }

  async consume(id: string): Promise<void> {
    // Compare-and-set: of two concurrent redemptions of one code or refresh token, only one may proceed. The other
    // is a reuse like any later one (OAuth 2.1 §4.1.3, §4.3.1): the grant is revoked and the client told
    // invalid_grant — never a server error.
    const key = this.key(id);
    if (await this.repository.consume(this.kind, key)) return;
    const grantId = (await this.repository.find(this.kind, key))?.payload['grantId'];
    if (typeof grantId === 'string') await this.repository.revokeByGrantId(grantId);
    throw new errors.InvalidGrant(`${this.kind === 'AuthorizationCode' ? 'authorization code' : 'token'} already used`);
  }

  destroy(id: string): Promise<void> {
    return this.repository.destroy(this.kind, this.key(id));
  }

  revokeByGrantId(grantId: string): Promise<void> {
    return this.repository.revokeByGrantId(grantId);
  }
}

/** Whether any string in `value` (keys included), however deep, holds a NUL character. */
function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (typeof value !== 'object' || value === null || depth > 32) return false;
  if (Array.isArray(value)) return value.some((item) => containsNul(item, depth + 1));
  return Object.entries(value).some(([key, item]) => key.includes('\u0000') || containsNul(item, depth + 1));
}
