import { z } from 'zod';
import { livenessResponse, readinessResponse } from './health.js';
import { problemDetails } from './problem.js';
import { sessionResponse, signInRequest, signUpRequest } from './auth.js';
import { systemStatusResponse } from './system.js';
import * as c from './console.js';
import * as t from './tenancy.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Auth = 'none' | 'session' | 'session_or_api_key';

/** One entry per endpoint: the single source for validation in the api and for the OpenAPI document. */
interface Route {
  method: Method;
  path: string;
  summary: string;
  auth: Auth;
  body?: z.ZodType;
  query?: z.ZodObject;
  success: { status: number; schema?: z.ZodType; contentType?: string };
  errors: number[];
}

export const routes: Route[] = [
  {
    method: 'get',
    path: '/healthz',
    summary: 'Liveness',
    auth: 'none',
    success: { status: 200, schema: livenessResponse },
    errors: [],
  },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness (503 names what is down)',
    auth: 'none',
    success: { status: 200, schema: readinessResponse },
    errors: [503],
  },
  {
    method: 'get',
    path: '/api/v1/system/status',
    summary: 'Platform status',
    auth: 'none',
    success: { status: 200, schema: systemStatusResponse },
    errors: [],
  },
  {
    method: 'post',
    path: '/api/v1/auth/sign-up',
    summary: 'Create an account and sign in',
    auth: 'none',
    body: signUpRequest,
    success: { status: 201, schema: sessionResponse },
    errors: [400, 403, 409],
  },
  {
    method: 'post',
    path: '/api/v1/auth/sign-in',
    summary: 'Sign in',
    auth: 'none',
    body: signInRequest,
    success: { status: 200, schema: sessionResponse },
    errors: [400, 401, 403, 429],
  },
  {
    method: 'post',
    path: '/api/v1/auth/sign-out',
    summary: 'Sign out (needs x-csrf-token)',
    auth: 'session',
    success: { status: 204 },
    errors: [401, 403],
  },
  {
    method: 'get',
    path: '/api/v1/auth/session',
    summary: 'The signed-in person and CSRF token',
    auth: 'session',
    success: { status: 200, schema: sessionResponse },
    errors: [401],
  },
  {
    method: 'post',
    path: '/api/v1/tenants',
    summary: 'Create a tenant (you become its owner)',
    auth: 'session',
    body: t.createTenantRequest,
    success: { status: 201, schema: t.tenant },
    errors: [400, 401, 403, 409],
  },
  {
    method: 'get',
    path: '/api/v1/tenants',
    summary: 'Your tenants',
    auth: 'session',
    success: { status: 200, schema: t.tenantList },
    errors: [401],
  },
  {
    method: 'delete',
    path: '/api/v1/tenants/{slug}',
    summary: 'Delete a tenant (owners; destroys its data keys — crypto-shredding)',
    auth: 'session_or_api_key',
    body: t.deleteTenantRequest,
    success: { status: 204 },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/members',
    summary: 'Members',
    auth: 'session_or_api_key',
    success: { status: 200, schema: t.memberList },
    errors: [401, 403, 404],
  },
  {
    method: 'patch',
    path: '/api/v1/tenants/{slug}/members/{userId}',
    summary: 'Change a role',
    auth: 'session_or_api_key',
    body: t.changeRoleRequest,
    success: { status: 204 },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'delete',
    path: '/api/v1/tenants/{slug}/members/{userId}',
    summary: 'Remove a member',
    auth: 'session_or_api_key',
    success: { status: 204 },
    errors: [401, 403, 404, 409],
  },
  {
    method: 'post',
    path: '/api/v1/tenants/{slug}/invitations',
    summary: 'Invite by email (link shown once)',
    auth: 'session_or_api_key',
    body: t.createInvitationRequest,
    success: { status: 201, schema: t.createdInvitation },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/invitations',
    summary: 'Pending invitations',
    auth: 'session_or_api_key',
    success: { status: 200, schema: t.invitationList },
    errors: [401, 403, 404],
  },
  {
    method: 'delete',
    path: '/api/v1/tenants/{slug}/invitations/{id}',
    summary: 'Revoke an invitation',
    auth: 'session_or_api_key',
    success: { status: 204 },
    errors: [401, 403, 404],
  },
  {
    method: 'post',
    path: '/api/v1/invitations/accept',
    summary: 'Accept an invitation',
    auth: 'session',
    body: t.acceptInvitationRequest,
    success: { status: 200, schema: t.tenant },
    errors: [400, 401, 403, 409],
  },
  {
    method: 'post',
    path: '/api/v1/tenants/{slug}/api-keys',
    summary: 'Create an API key (shown once)',
    auth: 'session_or_api_key',
    body: t.createApiKeyRequest,
    success: { status: 201, schema: t.createdApiKey },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/api-keys',
    summary: 'API keys',
    auth: 'session_or_api_key',
    success: { status: 200, schema: t.apiKeyList },
    errors: [401, 403, 404],
  },
  {
    method: 'delete',
    path: '/api/v1/tenants/{slug}/api-keys/{id}',
    summary: 'Revoke an API key',
    auth: 'session_or_api_key',
    success: { status: 204 },
    errors: [401, 403, 404],
  },
  {
    method: 'post',
    path: '/api/v1/tenants/{slug}/mcp-servers',
    summary: 'Create an MCP server',
    auth: 'session_or_api_key',
    body: t.createMcpServerRequest,
    success: { status: 201, schema: t.mcpServer },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/mcp-servers',
    summary: 'MCP servers',
    auth: 'session_or_api_key',
    success: { status: 200, schema: t.mcpServerList },
    errors: [401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/mcp-servers/{server}',
    summary: 'One MCP server',
    auth: 'session_or_api_key',
    success: { status: 200, schema: t.mcpServer },
    errors: [401, 403, 404],
  },
  {
    method: 'patch',
    path: '/api/v1/tenants/{slug}/mcp-servers/{server}',
    summary: 'Change what an MCP server exposes',
    auth: 'session_or_api_key',
    body: t.updateMcpServerRequest,
    success: { status: 200, schema: t.mcpServer },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'delete',
    path: '/api/v1/tenants/{slug}/mcp-servers/{server}',
    summary: 'Delete an MCP server',
    auth: 'session_or_api_key',
    success: { status: 204 },
    errors: [401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/oauth-consents',
    summary: 'MCP clients the signed-in person allowed to act for them in this tenant',
    auth: 'session',
    success: { status: 200, schema: t.oauthConsentList },
    errors: [401, 403, 404],
  },
  {
    method: 'delete',
    path: '/api/v1/tenants/{slug}/oauth-consents/{id}',
    summary: "Revoke a client's consent and every token issued under it",
    auth: 'session',
    success: { status: 204 },
    errors: [401, 403, 404],
  },
  {
    method: 'put',
    path: '/api/v1/tenants/{slug}/provider-apps/{provider}',
    summary: "Create or change the tenant's OAuth app at a provider (client secret write-only)",
    auth: 'session_or_api_key',
    body: t.saveProviderAppRequest,
    success: { status: 200, schema: t.providerApp },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/provider-apps',
    summary: "The tenant's OAuth apps at providers, with the redirect URI to register",
    auth: 'session_or_api_key',
    success: { status: 200, schema: t.providerAppList },
    errors: [401, 403, 404],
  },
  {
    method: 'delete',
    path: '/api/v1/tenants/{slug}/provider-apps/{provider}',
    summary: "Delete the tenant's OAuth app at a provider and its client secret",
    auth: 'session_or_api_key',
    success: { status: 204 },
    errors: [401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/toolkits',
    summary: 'The tool catalog: toolkits and their tools with versions, annotations, providers, scopes and schemas',
    auth: 'session',
    success: { status: 200, schema: t.toolkitCatalog },
    errors: [401],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/connections',
    summary: "The signed-in person's connections to providers (scopes, account, status; never tokens)",
    auth: 'session',
    success: { status: 200, schema: t.connectionList },
    errors: [401, 403, 404],
  },
  {
    method: 'post',
    path: '/api/v1/tenants/{slug}/connections/{provider}/authorize',
    summary: 'Start connecting (or reconnecting with more scopes): returns the provider authorization URL',
    auth: 'session',
    body: t.startConnectionRequest,
    success: { status: 200, schema: t.startConnectionResponse },
    errors: [400, 401, 403, 404, 410],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/connect-requests/{elicitationId}',
    summary: "Who is asking behind an MCP client's connect link: the client, provider, scopes and the connection now",
    auth: 'session',
    success: { status: 200, schema: t.connectRequest },
    errors: [401, 403, 404, 410],
  },
  {
    method: 'delete',
    path: '/api/v1/tenants/{slug}/connections/{provider}',
    summary: 'Disconnect: revoke at the provider where possible and destroy the stored tokens',
    auth: 'session',
    success: { status: 200, schema: t.disconnectResponse },
    errors: [401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/tool-limits',
    summary: "The tenant's tool-call rate limits (calls per minute): its overrides and what applies",
    auth: 'session_or_api_key',
    success: { status: 200, schema: t.toolLimitsResponse },
    errors: [401, 403, 404],
  },
  {
    method: 'put',
    path: '/api/v1/tenants/{slug}/tool-limits',
    summary: "Replace the tenant's tool-call rate limit overrides (absent keys: the deployment's defaults)",
    auth: 'session_or_api_key',
    body: t.toolLimitsRequest,
    success: { status: 200, schema: t.toolLimitsResponse },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/audit',
    summary: 'Audit events, newest first (keyset cursor)',
    auth: 'session_or_api_key',
    query: t.auditQuery,
    success: { status: 200, schema: t.auditPage },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/audit/verify',
    summary: 'Verify the audit hash chain (optionally against a checkpoint recorded earlier)',
    auth: 'session_or_api_key',
    query: t.auditVerifyQuery,
    success: { status: 200, schema: t.auditVerifyResponse },
    errors: [401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/audit/export',
    summary: 'Export audit events (streamed CSV or JSON Lines)',
    auth: 'session_or_api_key',
    query: t.auditExportQuery,
    success: { status: 200, contentType: 'application/x-ndjson' },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/tenants/{slug}/usage',
    summary: 'Tool-call usage: calls per day by tool and result, latency percentiles, rate-limit hits',
    auth: 'session_or_api_key',
    query: c.usageQuery,
    success: { status: 200, schema: c.usageReport },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'get',
    path: '/api/v1/providers',
    summary: 'The provider catalog and the redirect URI to register in OAuth apps',
    auth: 'session',
    success: { status: 200, schema: c.providerCatalog },
    errors: [401],
  },
];

const security: Record<Auth, object[]> = {
  none: [],
  session: [{ session: [] }],
  session_or_api_key: [{ session: [] }, { apiKey: [] }],
};

function schema(type: z.ZodType, io: 'input' | 'output') {
  return z.toJSONSchema(type, { io, target: 'draft-2020-12', unrepresentable: 'any' });
}

/** OpenAPI 3.1 for the api, generated from the same zod schemas the api validates with. */
export function openApiDocument(serverUrl: string): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const parameters = [
      ...[...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...(route.query
        ? Object.entries(route.query.shape).map(([name, field]) => ({
            name,
            in: 'query',
            required: false,
            schema: schema(field as z.ZodType, 'input'),
          }))
        : []),
    ];
    const responses: Record<string, object> = {
      [route.success.status]: {
        description: route.summary,
        ...(route.success.schema
          ? {
              content: {
                [route.success.contentType ?? 'application/json']: { schema: schema(route.success.schema, 'output') },
              },
            }
          : route.success.contentType
            ? { content: { [route.success.contentType]: {}, 'text/csv': {} } }
            : {}),
      },
    };
    for (const status of route.errors) {
      responses[status] = {
        description: 'Problem details (RFC 9457)',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      summary: route.summary,
      security: security[route.auth],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schema(route.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Gatehouse admin API', version: '1' },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      schemas: { Problem: schema(problemDetails, 'output') },
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'gh_session',
          description: 'Console session; state-changing requests also send x-csrf-token.',
        },
        apiKey: { type: 'http', scheme: 'bearer', description: 'Tenant API key (ghk_…)' },
      },
    },
  };
}
