import type { MembershipRole } from '@gatehouse/db';
import type { McpEndpoint } from '@gatehouse/registry';
import type Provider from 'oidc-provider';
import { MCP_SCOPE } from '../oauth/authorization-server.js';
import { memberLookup, type MemberLookup } from '../oauth/postgres.adapter.js';

/** Who an MCP request acts for, from a valid access token for this exact server. */
export interface McpPrincipal {
  userId: string;
  clientId: string;
  scopes: string[];
  grantId: string;
  /** When the access token expires (epoch ms), if it says. */
  expiresAt: number | undefined;
}

export type BearerResult =
  | {
      ok: true;
      principal: McpPrincipal;
      /** The token's user's role in the endpoint's tenant; null when they are no longer a member. */
      role: MembershipRole | null;
    }
  | { ok: false; status: 401 | 403; challenge: string; message: string };

/**
 * The MCP endpoint as an OAuth resource server. Access tokens are opaque and looked up on every request, so an
 * expired, revoked or replaced token stops working at once; the audience must be exactly this server's URL, which
 * keeps a token for tenant B's server (or any other server) useless here.
 */
export class McpResourceServer {
  constructor(
    private readonly provider: Provider,
    /** Membership, for when the token lookup did not read it (see `memberLookup`). */
    private readonly roleOf: (tenantId: string, userId: string) => Promise<MembershipRole | null>,
  ) {}

  async authenticate(authorization: string | undefined, endpoint: McpEndpoint, metadataUrl: string) {
    const challenge = (error?: string, description?: string) =>
      [
        `Bearer resource_metadata="${metadataUrl}"`,
        `scope="${MCP_SCOPE}"`,
        ...(error ? [`error="${error}"`] : []),
        ...(description ? [`error_description="${description}"`] : []),
      ].join(', ');
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization ?? '');
    if (!match) {
      return {
        ok: false,
        status: 401,
        challenge: challenge(authorization ? 'invalid_request' : undefined),
        message: 'Authorization required: sign in with OAuth to use this MCP server.',
      } satisfies BearerResult;
    }
    // The token, its user's membership of the endpoint's tenant and its sign-in session in one round trip
    // (PostgresAdapter).
    const lookup: MemberLookup = { tenantId: endpoint.tenantId };
    const token = await memberLookup.run(lookup, () => this.provider.AccessToken.find(match[1]!));
    const audience = token ? [token.aud].flat() : [];
    if (!token?.clientId || audience.length !== 1 || audience[0] !== endpoint.url) {
      return {
        ok: false,
        status: 401,
        challenge: challenge('invalid_token', 'The access token is invalid, expired, revoked or for another server.'),
        message: 'The access token is invalid, expired, revoked or for another server.',
      } satisfies BearerResult;
    }
    const scopes = (token.scope ?? '').split(' ').filter(Boolean);
    if (!scopes.includes(MCP_SCOPE)) {
      return {
        ok: false,
        status: 403,
        challenge: challenge('insufficient_scope', `This server needs the ${MCP_SCOPE} scope.`),
        message: `The access token lacks the ${MCP_SCOPE} scope.`,
      } satisfies BearerResult;
    }
    const role = lookup.role === undefined ? await this.roleOf(endpoint.tenantId, token.accountId) : lookup.role;
    return {
      ok: true,
      principal: {
        userId: token.accountId,
        clientId: token.clientId,
        scopes,
        grantId: token.grantId,
        expiresAt: typeof token.exp === 'number' && token.exp > 0 ? token.exp * 1000 : undefined,
      },
      role,
    } satisfies BearerResult;
  }
}
