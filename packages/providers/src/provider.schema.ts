import { z } from 'zod';
import { CLIENT_ID_PLACEHOLDER, PLACEHOLDER, placeholdersOf, validateParamValue } from './templates.js';

/** Provider ids are kebab-case: they appear in URLs, audit events and tool definitions. */
const PROVIDER_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** URL placeholder and credential field names: `{tenant}`, `{baseUrl}`, `apiKey`. */
const NAME = /^[a-z][A-Za-z0-9]*$/;
/** Dot path into a JSON response: `id`, `authed_user.id`, `data.viewer.id`. */
const JSON_PATH = /^[A-Za-z0-9_$@-]+(?:\.[A-Za-z0-9_$@-]+)*$/;
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
const HOSTNAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** RFC 6749 §3.3 scope-token: printable ASCII without space, `"` or `\`. */
export const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/** Query parameters the authorization request sets itself; an entry's extras may not override them. */
export const RESERVED_AUTHORIZATION_PARAMS: readonly string[] = [
  'response_type',
  'client_id',
  'redirect_uri',
  'state',
  'scope',
  'code_challenge',
  'code_challenge_method',
];

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.hash === '' && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}

const httpsUrl = z.string().refine(isHttpsUrl, 'expected an https URL without credentials or fragment');
const headers = z.record(z.string().regex(HEADER_NAME), z.string().min(1));
const jsonPath = z.string().regex(JSON_PATH, 'expected a dot path such as "data.viewer.id"');
const scopeToken = z.string().regex(SCOPE_TOKEN, 'expected an RFC 6749 scope token');

/**
 * A placeholder in the entry's URL templates. `base_url`: an https origin (optionally with a path prefix), only
 * allowed at the very start of a template; `allowLocalHttp` also accepts http on loopback hosts (the demo provider);
 * `hostSuffixes` pins the host to the provider's own domains, since the token request carries our client secret.
 * `tenant`: a Microsoft Entra tenant (`common`, `organizations`, `consumers`, a GUID or a domain), one path segment.
 */
export const paramSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('base_url'),
    description: z.string().min(1),
    default: z.string().optional(),
    allowLocalHttp: z.boolean().default(false),
    hostSuffixes: z.array(z.string().regex(HOSTNAME)).min(1).optional(),
  }),
  z.strictObject({
    kind: z.literal('tenant'),
    description: z.string().min(1),
    default: z.string().optional(),
  }),
]);

const tokenEndpointSchema = z.strictObject({
  /** How the client authenticates at the token endpoint (RFC 6749 §2.3.1). */
  auth: z.enum(['client_secret_basic', 'client_secret_post']),
  bodyFormat: z.enum(['form', 'json']).default('form'),
  headers: headers.default({}),
  /** Where access_token/refresh_token/expires_in live when not at the top (Slack user tokens: `authed_user`). */
  responseRoot: jsonPath.optional(),
});

const refreshSchema = z.strictObject({
  supported: z.boolean(),
  /** The refresh response carries a new refresh token and the old one stops working: store it before using it. */
  rotates: z.boolean(),
  /** A refresh endpoint other than the token endpoint (Figma). */
  url: z.string().optional(),
  /** Scope without which no refresh token is issued; always added to the authorization request. */
  requiresScope: scopeToken.optional(),
});

const revocationSchema = z.strictObject({
  url: z.string(),
  method: z.enum(['POST', 'DELETE']).default('POST'),
  /** Which token the endpoint takes. `either`: RFC 7009 style, revoking a refresh token ends the grant. */
  token: z.enum(['access_token', 'refresh_token', 'either']),
  /** Where the token goes: a form or JSON body field, a query parameter, or `Authorization: Bearer`. */
  tokenIn: z.enum(['form', 'json', 'query', 'authorization_header']),
  tokenParam: z
    .string()
    .regex(/^[a-z_]+$/)
    .default('token'),
  clientAuth: z.enum(['none', 'client_secret_basic', 'client_secret_post']),
  headers: headers.default({}),
});

const userInfoSchema = z.strictObject({
  url: z.string(),
  method: z.enum(['GET', 'POST']).default('GET'),
  headers: headers.default({}),
  /** Sent verbatim as JSON (a GraphQL query for Linear). */
  body: z.string().optional(),
});

const accountIdSchema = z.strictObject({
  /** Which response holds the id: the token response, or the user-info response. */
  from: z.enum(['token', 'user_info']),
  path: jsonPath,
  /** When ids are unique only within a workspace (Slack team, HubSpot portal), the id becomes `workspace:id`. */
  workspacePath: jsonPath.optional(),
  /** A human-readable name for the connected account (login, email, workspace name). */
  labelPath: jsonPath.optional(),
});

export const oauth2ProviderSchema = z
  .strictObject({
    kind: z.literal('oauth2'),
    id: z.string().regex(PROVIDER_ID, 'expected a kebab-case id'),
    name: z.string().min(1).max(60),
    /** The public documentation page this entry was checked against. */
    docsUrl: httpsUrl,
    params: z.record(z.string().regex(NAME), paramSpecSchema).default({}),
    authorizationUrl: z.string(),
    tokenUrl: z.string(),
    pkce: z.enum(['required', 'supported', 'unsupported']),
    scopeSeparator: z.enum([' ', ',']),
    /** The query parameter carrying scopes (Slack user scopes: `user_scope`). */
    scopeParam: z
      .string()
      .regex(/^[a-z_]+$/)
      .default('scope'),
    defaultScopes: z.array(scopeToken).default([]),
    /** Microsoft compares scopes case-insensitively and answers `User.Read` for `user.read`. */
    scopesCaseInsensitive: z.boolean().default(false),
    /**
     * Scopes that include others, as the provider documents them (GitHub `repo` covers `public_repo`): a grant of the
     * key satisfies a tool that needs any scope listed for it. Without this a person holding the broader scope is sent
     * to reconnect for the narrower one — forever at GitHub, which normalises `repo public_repo` to `repo`.
     */
    impliedScopes: z.record(scopeToken, z.array(scopeToken).min(1)).default({}),
    extraAuthorizationParams: z.record(z.string().regex(/^[a-z_]+$/), z.string().min(1)).default({}),
    token: tokenEndpointSchema,
    /** Where the token response reports granted scopes; a string is split on whitespace (and `,` if declared). */
    grantedScopes: z
      .strictObject({ path: jsonPath, separator: z.enum([' ', ',']) })
      .default({ path: 'scope', separator: ' ' }),
    refresh: refreshSchema,
    revocation: revocationSchema.optional(),
    userInfo: userInfoSchema.optional(),
    accountId: accountIdSchema,
  })
  .superRefine(checkOAuth2Entry);

export const credentialFieldSchema = z.strictObject({
  name: z.string().regex(NAME),
  label: z.string().min(1),
  /** Secret fields go to the vault and are never shown again; others (an account SID) may be displayed. */
  secret: z.boolean(),
  /** A regular expression the value must match, checked before anything is stored or sent. */
  pattern: z.string().optional(),
});

const placementSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('header'),
    header: z.string().regex(HEADER_NAME),
    field: z.string().regex(NAME),
    /** `Bearer` gives `Authorization: Bearer <key>`; absent, the header carries the bare key. */
    scheme: z
      .string()
      .regex(/^[A-Za-z]+$/)
      .optional(),
  }),
  z.strictObject({
    type: z.literal('basic'),
    usernameField: z.string().regex(NAME),
    passwordField: z.string().regex(NAME).optional(),
  }),
  z.strictObject({ type: z.literal('query'), param: z.string().min(1), field: z.string().regex(NAME) }),
]);

export const apiKeyProviderSchema = z
  .strictObject({
    kind: z.literal('api_key'),
    id: z.string().regex(PROVIDER_ID, 'expected a kebab-case id'),
    name: z.string().min(1).max(60),
    docsUrl: httpsUrl,
    baseUrl: httpsUrl,
    fields: z.array(credentialFieldSchema).min(1),
    placement: placementSchema,
    /** Fixed headers every request needs (Anthropic's `anthropic-version`). */
    headers: headers.default({}),
  })
  .superRefine((entry, ctx) => {
    const names = entry.fields.map((field) => field.name);
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', message: 'duplicate field name' });
    for (const field of entry.fields) {
      if (field.pattern === undefined) continue;
      try {
        new RegExp(field.pattern);
      } catch {
        ctx.addIssue({ code: 'custom', path: ['fields'], message: `field ${field.name}: pattern does not compile` });
      }
    }
    const p = entry.placement;
    const used = p.type === 'basic' ? [p.usernameField, p.passwordField] : [p.field];
    for (const name of used) {
      if (name !== undefined && !names.includes(name)) {
        ctx.addIssue({ code: 'custom', path: ['placement'], message: `placement names unknown field ${name}` });
      }
    }
  });

export const providerSchema = z.discriminatedUnion('kind', [oauth2ProviderSchema, apiKeyProviderSchema]);

export type ProviderDefinition = z.output<typeof providerSchema>;
export type OAuth2Provider = z.output<typeof oauth2ProviderSchema>;
export type ApiKeyProvider = z.output<typeof apiKeyProviderSchema>;
export type ParamSpec = z.output<typeof paramSpecSchema>;
/** What a catalog entry is written as: defaults may be left out. */
export type OAuth2ProviderInput = z.input<typeof oauth2ProviderSchema>;
export type ApiKeyProviderInput = z.input<typeof apiKeyProviderSchema>;

type OAuth2Draft = z.output<typeof oauth2ProviderSchema>;
type Report = (message: string, path?: (string | number)[]) => void;

/** Cross-field rules zod's shapes cannot say: placeholders declared and well placed, extras not overriding. */
function checkOAuth2Entry(entry: OAuth2Draft, ctx: z.RefinementCtx): void {
  const issue: Report = (message, path = []) => ctx.addIssue({ code: 'custom', message, path });
  checkTemplates(entry, issue);
  checkDeclarations(entry, issue);
}

/** Every URL template: placeholders declared and where they cannot change the host; https once filled. */
function checkTemplates(entry: OAuth2Draft, issue: Report): void {
  const templates: [string, string, boolean][] = [
    ['authorizationUrl', entry.authorizationUrl, false],
    ['tokenUrl', entry.tokenUrl, false],
  ];
  if (entry.refresh.url !== undefined) templates.push(['refresh.url', entry.refresh.url, false]);
  if (entry.revocation) templates.push(['revocation.url', entry.revocation.url, true]);
  if (entry.userInfo) templates.push(['userInfo.url', entry.userInfo.url, false]);

  for (const [where, template, allowsClientId] of templates) {
    for (const name of placeholdersOf(template)) {
      const spec = entry.params[name];
      if (name === CLIENT_ID_PLACEHOLDER && allowsClientId) continue;
      if (!spec) {
        issue(`${where}: placeholder {${name}} is not a declared param`);
        continue;
      }
      if (spec.kind === 'base_url' && (!template.startsWith(`{${name}}/`) || template.lastIndexOf(`{${name}}`) !== 0)) {
        issue(`${where}: {${name}} is a base URL and may only start the template`);
      }
      if (spec.kind === 'tenant' && !template.includes(`/{${name}}/`)) {
        issue(`${where}: {${name}} must be a whole path segment`);
      }
    }
    const sample = template.replace(PLACEHOLDER, (_match, name: string) =>
      entry.params[name]?.kind === 'base_url' ? 'https://example.com' : 'sample',
    );
    if (!isHttpsUrl(sample)) issue(`${where}: not an https URL once placeholders are filled`);
    else if (where === 'authorizationUrl' && new URL(sample).search !== '') {
      issue('authorizationUrl: put fixed query parameters in extraAuthorizationParams');
    }
  }

  const endpoints = `${entry.authorizationUrl} ${entry.tokenUrl}`;
  for (const [name, spec] of Object.entries(entry.params)) {
    if (!endpoints.includes(`{${name}}`)) issue(`param ${name} is used by neither authorizationUrl nor tokenUrl`);
    if (spec.default !== undefined && validateParamValue(spec, spec.default) === undefined) {
      issue(`param ${name}: default is not a valid value`, ['params', name]);
    }
  }
}

/** Declarations that contradict each other or would let an entry override what the request sets. */
function checkDeclarations(entry: OAuth2Draft, issue: Report): void {
  for (const key of Object.keys(entry.extraAuthorizationParams)) {
    if (RESERVED_AUTHORIZATION_PARAMS.includes(key) || key === entry.scopeParam) {
      issue(`extraAuthorizationParams may not set ${key}`, ['extraAuthorizationParams']);
    }
  }
  const scopes = [...entry.defaultScopes, ...(entry.refresh.requiresScope ? [entry.refresh.requiresScope] : [])];
  if (entry.scopeSeparator === ',' && scopes.some((scope) => scope.includes(','))) {
    issue('a scope contains the scope separator', ['defaultScopes']);
  }
  if (entry.accountId.from === 'user_info' && !entry.userInfo) {
    issue('accountId is read from user info but no userInfo endpoint is declared', ['accountId']);
  }
  const revocation = entry.revocation;
  if (revocation?.clientAuth === 'client_secret_post' && !['form', 'json'].includes(revocation.tokenIn)) {
    issue('client_secret_post revocation needs a form or JSON body', ['revocation']);
  }
  if (revocation?.clientAuth === 'client_secret_basic' && revocation.tokenIn === 'authorization_header') {
    issue('the Authorization header cannot carry both the token and client credentials', ['revocation']);
  }
  if (revocation?.method === 'DELETE' && revocation.tokenIn === 'form') {
    issue('a DELETE revocation cannot carry a form body', ['revocation']);
  }
  if (!entry.refresh.supported && (entry.refresh.rotates || entry.refresh.url || entry.refresh.requiresScope)) {
    issue('refresh details given for a provider without refresh', ['refresh']);
  }
}
