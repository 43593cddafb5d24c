import { z } from 'zod';

// Admin REST API for tenants (`/api/v1/tenants/...`).

export const role = z.enum(['owner', 'admin', 'member']);

/**
 * An instant a query names (ISO 8601, UTC). Year 0000 parses as a date but does not exist for
 * PostgreSQL (there is no year zero): refused here rather than by the database.
 */
export const queryInstant = z.iso
  .datetime()
  .refine((value) => !value.startsWith('0000'), 'year 0000 does not exist; use 0001 or later');
export const slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'use 1–63 lowercase letters, digits and inner dashes');

export const createTenantRequest = z.object({ slug, name: z.string().trim().min(1).max(200) }).strict();
export const tenant = z.object({ id: z.uuid(), slug: z.string(), name: z.string(), role });
export const tenantList = z.object({ tenants: z.array(tenant) });
/** Deleting a tenant is irreversible (its data keys are destroyed): the request names it again. */
export const deleteTenantRequest = z.object({ confirm: slug }).strict();

export const member = z.object({
  userId: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  role,
  joinedAt: z.iso.datetime(),
});
export const memberList = z.object({ members: z.array(member) });
export const changeRoleRequest = z.object({ role }).strict();

export const createInvitationRequest = z.object({ email: z.email().max(320), role }).strict();
export const invitation = z.object({
  id: z.uuid(),
  email: z.string(),
  role,
  expiresAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
});
/** The link is shown once, to the person who created the invitation; only a hash of its token is stored. */
export const createdInvitation = z.object({ invitation, acceptUrl: z.url(), token: z.string() });
export const invitationList = z.object({ invitations: z.array(invitation) });
export const acceptInvitationRequest = z.object({ tenant: slug, token: z.string().min(1).max(100) }).strict();

export const apiKeyScope = z.enum([
  'members:read',
  'members:write',
  'api_keys:write',
  'audit:read',
  'servers:read',
  'servers:write',
  'providers:read',
  'providers:write',
]);
export const createApiKeyRequest = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z.array(apiKeyScope).min(1),
    expiresAt: z.iso
      .datetime()
      .refine((value) => Date.parse(value) > Date.now(), 'must be in the future: a key that has expired is of no use')
      .optional(),
  })
  .strict();
export const apiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  scopes: z.array(apiKeyScope),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  expiresAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
/** `key` is returned exactly once, at creation. */
export const createdApiKey = z.object({ apiKey, key: z.string() });
export const apiKeyList = z.object({ apiKeys: z.array(apiKey) });

export const auditQuery = z
  .object({
    action: z.string().max(100).optional(),
    actorId: z.string().max(200).optional(),
    /** The tool of `tool.call` events (their target), e.g. `demo.list_notes`. */
    tool: z.string().max(200).optional(),
    /** The MCP client (OAuth client id) of `tool.call` and `mcp.request` events. */
    client: z.string().max(2048).optional(),
    outcome: z.enum(['success', 'failure', 'denied', 'error']).optional(),
    from: queryInstant.optional(),
    to: queryInstant.optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict();
export const auditEvent = z.object({
  seq: z.number().int(),
  occurredAt: z.iso.datetime(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: z.string(),
  requestId: z.string().nullable(),
  traceId: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  hash: z.string(),
});
export const auditPage = z.object({ events: z.array(auditEvent), nextCursor: z.number().int().nullable() });
const checkpoint = z.object({ seq: z.number().int().min(1), hash: z.string().regex(/^[0-9a-f]{64}$/) });
/** `?checkpoint=<seq>:<hash>`: a link recorded earlier (a report's `head`) that the chain must still hold unchanged. */
export const auditVerifyQuery = z
  .object({
    checkpoint: z
      .string()
      .regex(/^[1-9]\d{0,14}:[0-9a-fA-F]{64}$/, 'expected <seq>:<64 hex characters>, a head reported earlier')
      .transform((value) => {
        const [seq, hash] = value.split(':') as [string, string];
        return { seq: Number(seq), hash: hash.toLowerCase() };
      })
      .optional(),
  })
  .strict();
export const auditVerifyResponse = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).optional(),
  /** The last link verified: keep it outside the database, and pass it as `checkpoint` to a later verify. */
  head: checkpoint.optional(),
});
export const auditExportQuery = auditQuery
  .omit({ before: true, limit: true })
  .extend({ format: z.enum(['csv', 'jsonl']).default('jsonl') });

// MCP servers (`/api/v1/tenants/{slug}/mcp-servers`).
const toolName = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}\.[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'use Toolkit.tool');
export const createMcpServerRequest = z
  .object({
    slug,
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().max(1000).optional(),
    toolkits: z.array(z.string().min(1).max(64)).max(50).default([]),
    tools: z.array(toolName).max(500).default([]),
    /** Exposed tools only the tenant's admins and owners see and may call; members never learn they exist. */
    adminOnlyTools: z.array(toolName).max(500).default([]),
  })
  .strict();
export const updateMcpServerRequest = z
  .object({
    title: z.string().trim().min(1).max(200).optional(),
    description: z.string().trim().max(1000).nullable().optional(),
    toolkits: z.array(z.string().min(1).max(64)).max(50).optional(),
    tools: z.array(toolName).max(500).optional(),
    adminOnlyTools: z.array(toolName).max(500).optional(),
  })
  .strict();
export const mcpServer = z.object({
  slug: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  toolkits: z.array(z.string()),
  tools: z.array(z.string()),
  adminOnlyTools: z.array(z.string()),
  /** The URL MCP clients connect to. */
  endpoint: z.url(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Changes with every change of the server; also its `ETag`. Sent back as `If-Match` to change it only as loaded. */
  revision: z.string(),
});
export const mcpServerList = z.object({ servers: z.array(mcpServer) });

/** A client a person allowed to act for them at one MCP server (remembered consent). */
export const oauthConsent = z.object({
  id: z.uuid(),
  clientId: z.string(),
  clientName: z.string().nullable(),
  /** The MCP server URL the consent is for. */
  resource: z.string(),
  scopes: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export const oauthConsentList = z.object({ consents: z.array(oauthConsent) });

// Provider apps (`/api/v1/tenants/{slug}/provider-apps`): the tenant's OAuth app per provider.
export const saveProviderAppRequest = z
  .object({
    clientId: z.string().trim().min(1).max(500),
    /** Required when the app is created; omit it to keep the stored secret. Write-only: never returned. */
    clientSecret: z.string().min(1).max(2000).optional(),
    allowedScopes: z.array(z.string().min(1).max(200)).max(100).default([]),
    settings: z.record(z.string().regex(/^[a-z][A-Za-z0-9]{0,31}$/), z.string().max(500)).default({}),
  })
  .strict();
export const providerApp = z.object({
  providerId: z.string(),
  providerName: z.string(),
  clientId: z.string(),
  allowedScopes: z.array(z.string()),
  settings: z.record(z.string(), z.string()),
  /** Register this exact URL as the redirect (callback) URI of the app at the provider. */
  redirectUri: z.string(),
  hasClientSecret: z.literal(true),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export const providerAppList = z.object({ apps: z.array(providerApp) });

// Connections (`/api/v1/tenants/{slug}/connections`): the signed-in person's own connections to providers.
/** A console path to return to after the provider's redirect back (never another origin). */
const consolePath = z
  .string()
  .max(500)
  .regex(/^\/(?![/\\])[^\s]*$/, 'expected a path of the console, such as /connections');
export const startConnectionRequest = z
  .object({
    /** Scopes the tools need beyond those already granted (incremental consent); within the app's allowed scopes. */
    scopes: z.array(z.string().min(1).max(200)).max(100).default([]),
    /** Where the browser goes after the callback: PUBLIC_WEB_URL + this path, with `connected` or `connection_error`. */
    returnTo: consolePath.optional(),
    /**
     * The MCP URL elicitation this answers (the connect link's `elicitation`): it must be the signed-in person's,
     * for this tenant and provider; the MCP session that asked is told when the connection completes.
     */
    elicitationId: z.string().min(1).max(100).optional(),
  })
  .strict();
export const startConnectionResponse = z.object({
  /** Send the person's browser here (the provider's consent page). */
  authorizationUrl: z.string(),
  /** The flow must finish before this. */
  expiresAt: z.iso.datetime(),
  scopes: z.array(z.string()),
});
export const connection = z.object({
  id: z.string(),
  providerId: z.string(),
  providerName: z.string(),
  externalAccountId: z.string(),
  accountLabel: z.string().nullable(),
  scopes: z.array(z.string()),
  /** `needs_reauth`: the provider stopped accepting the tokens; connect again. */
  status: z.enum(['active', 'needs_reauth']),
  accessExpiresAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Gatehouse's page to reconnect or add scopes. */
  connectUrl: z.string(),
});
export const connectionList = z.object({ connections: z.array(connection) });
/** Who is asking, behind a connect link an MCP client was given (`/api/v1/tenants/{slug}/connect-requests/{id}`). */
export const connectRequest = z.object({
  elicitationId: z.string(),
  provider: z.object({ id: z.string(), name: z.string() }),
  /** The MCP client: its registered name when the authorization server knows one, else its client id. */
  client: z.object({ id: z.string(), name: z.string() }),
  /** The scopes the tool that asked needs. */
  scopes: z.array(z.string()),
  /** False until an admin configures the tenant's app for the provider: nobody can connect it yet. */
  providerConfigured: z.boolean(),
  /** The person's current connection to the provider, or null. */
  connection: z
    .object({
      status: z.enum(['active', 'needs_reauth']),
      accountLabel: z.string(),
      scopes: z.array(z.string()),
    })
    .nullable(),
});
export type ConnectRequest = z.infer<typeof connectRequest>;
export const disconnectResponse = z.object({
  /** Whether the provider confirmed the revocation (false when it has no revocation endpoint or failed). */
  revokedAtProvider: z.boolean(),
});

// Tool-call limits (`/api/v1/tenants/{slug}/tool-limits`): calls per minute, overriding the deployment's defaults.
const perMinute = z.number().int().min(1).max(1_000_000);
export const toolLimitsRequest = z
  .object({
    perTenant: perMinute.optional(),
    perUser: perMinute.optional(),
    perTool: perMinute.optional(),
    perProvider: perMinute.optional(),
  })
  .strict();
export const toolLimitsResponse = z.object({
  /** What this tenant set (absent keys: the defaults). */
  overrides: toolLimitsRequest,
  /** What applies now (an override above the ceiling applies as the ceiling). */
  effective: z.object({ perTenant: perMinute, perUser: perMinute, perTool: perMinute, perProvider: perMinute }),
  /** The most this deployment lets a tenant set each limit to: its default, or TOOL_CALLS_PER_MINUTE_CEILING if higher. */
  ceilings: z.object({ perTenant: perMinute, perUser: perMinute, perTool: perMinute, perProvider: perMinute }),
});

// The tool catalog (`/api/v1/toolkits`).
export const toolkitCatalog = z.object({
  toolkits: z.array(
    z.object({
      name: z.string(),
      title: z.string(),
      description: z.string(),
      tools: z.array(
        z.object({
          name: z.string(),
          version: z.string(),
          title: z.string().nullable(),
          description: z.string(),
          annotations: z.record(z.string(), z.unknown()),
          provider: z.string().nullable(),
          scopes: z.array(z.string()),
          inputSchema: z.record(z.string(), z.unknown()),
          outputSchema: z.record(z.string(), z.unknown()).nullable(),
        }),
      ),
    }),
  ),
});
