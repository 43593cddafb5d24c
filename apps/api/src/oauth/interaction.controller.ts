import { createHmac, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { AccountService, ConsentService, IdentityError } from '@gatehouse/identity';
import { McpEndpointDirectory, type McpEndpoint } from '@gatehouse/registry';
import { UserRepository, type Database } from '@gatehouse/db';
import { TenantAdminService } from '@gatehouse/tenancy';
import type { Request, Response } from 'express';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { API_CONFIG, DATABASE } from '../infrastructure/tokens.js';
import { AUTHORIZATION_KEYS, AUTHORIZATION_SERVER } from './oauth.tokens.js';
import type { AuthorizationKeys } from './authorization-keys.js';
import { INTERACTION_PATH } from './authorization-server.js';
import { sendPage } from '../common/html-page.js';
import { consentPage, loginPage, messagePage, type ClientView } from './interaction-pages.js';

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

const requestIdOf = (req: Request) => (typeof req.id === 'string' ? req.id : undefined);

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function singleResource(interaction: Interaction): string | undefined {
  const resource = interaction.params.resource;
  return typeof resource === 'string' ? resource : undefined;
}

/**
 * Why the authorization server asks for consent, when a remembered consent may answer: only that the grant lacks
 * the scopes or claims asked for. Never when the client asked for the consent page (`prompt=consent`), nor for a
 * native client (`native_client_prompt`) or a redirect to this machine or an app scheme (`local_redirect_prompt`,
 * with no sign-in page shown on the way): anyone can present a public client's id and such a redirect, so the person
 * must see who is asking.
 */
const REMEMBERABLE_REASONS = new Set([
  'op_scopes_missing',
  'op_claims_missing',
  'rs_scopes_missing',
  'rs_claims_missing',
]);

function rememberable(reasons: readonly string[]): boolean {
  return reasons.every((reason) => REMEMBERABLE_REASONS.has(reason));
}

/**
 * The sign-in and consent steps of the authorization server. Pages carry no script; forms are bound to the
 * interaction by a CSRF token derived from its id with a server key, on top of the interaction's own cookie
 * (SameSite=Lax) and an Origin check.
 */
@Controller(INTERACTION_PATH.slice(1))
export class InteractionController {
  private readonly origin: string;
  private readonly users: UserRepository;
  private readonly refreshTtlSeconds: number;

  constructor(
    @Inject(AUTHORIZATION_SERVER) private readonly provider: Provider,
    @Inject(AUTHORIZATION_KEYS) private readonly keys: AuthorizationKeys,
    @Inject(API_CONFIG) config: ApiConfig,
    @Inject(AccountService) private readonly accounts: AccountService,
    @Inject(ConsentService) private readonly consents: ConsentService,
    @Inject(TenantAdminService) private readonly tenancy: TenantAdminService,
    @Inject(McpEndpointDirectory) private readonly endpoints: McpEndpointDirectory,
    @Inject(DATABASE) db: Database,
  ) {
    this.users = new UserRepository(db);
    this.origin = new URL(config.PUBLIC_API_URL).origin;
    this.refreshTtlSeconds = config.OAUTH_REFRESH_TOKEN_TTL;
  }

  private csrfFor(uid: string): string {
    return createHmac('sha256', this.keys.cookieKeys[0]!).update(`interaction-csrf:${uid}`).digest('base64url');
  }

  private csrfValid(req: Request, uid: string): boolean {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== this.origin) return false;
    const given = Buffer.from(field(req, 'csrf'));
    const expected = Buffer.from(this.csrfFor(uid));
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private send(res: Response, status: number, html: string, interaction?: Interaction): void {
    const formTargets: string[] = [];
    const redirectUri = interaction?.params.redirect_uri;
    if (typeof redirectUri === 'string') {
      // The consent form's redirects end at the client's redirect URI.
      const url = URL.parse(redirectUri);
      if (url) formTargets.push(url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol);
    }
    sendPage(res, status, html, formTargets);
  }

  /** The interaction of this browser, or a page saying it is over (expired, finished, or another browser's). */
  private async interaction(req: Request, res: Response, uid: string): Promise<Interaction | undefined> {
    try {
      const interaction = await this.provider.interactionDetails(req, res);
      if (interaction.uid === uid) return interaction;
    } catch {
      // Missing or expired interaction cookie/session: fall through to the same page.
    }
    this.send(
      res,
      400,
      messagePage({
        title: 'This sign-in has expired',
        message: 'Start again from your application. A sign-in link works once, in the browser that opened it.',
      }),
    );
    return undefined;
  }

  /**
   * Who is asking, as the pages show it; undefined (a page saying so sent) when the client cannot be read — a Client
   * ID Metadata Document is fetched again once its cache time passes, and its host may be down or refuse.
   */
  private async clientView(interaction: Interaction, res: Response): Promise<ClientView | undefined> {
    const clientId = String(interaction.params.client_id);
    let client: Awaited<ReturnType<Provider['Client']['find']>>;
    try {
      client = await this.provider.Client.find(clientId);
    } catch {
      this.send(
        res,
        400,
        messagePage({
          title: 'Application unavailable',
          message:
            "This application's registration could not be read right now (its metadata document did not answer). Start again from the application.",
        }),
      );
      return undefined;
    }
    const requested = interaction.params.redirect_uri;
    const redirect = URL.parse(typeof requested === 'string' ? requested : (client?.redirectUris?.[0] ?? ''));
    return {
      clientId,
      name: client?.clientName ?? clientId,
      redirectHost: redirect ? redirect.host || redirect.protocol : 'unknown',
    };
  }

  private async finish(req: Request, res: Response, result: InteractionResults, merge = false): Promise<void> {
    await this.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });
  }

  private refuse(req: Request, res: Response, description: string): Promise<void> {
    return this.finish(req, res, { error: 'access_denied', error_description: description });
  }

  /** The tenant server the request is for, after checking the person is a member; otherwise a page saying why. */
  private async target(
    res: Response,
    interaction: Interaction,
    uid: string,
  ): Promise<{ endpoint?: McpEndpoint; ok: boolean }> {
    const resource = singleResource(interaction);
    const userId = interaction.session?.accountId;
    if (interaction.params.resource !== undefined && resource === undefined) {
      this.sendNotAllowed(res, interaction, uid, 'Ask for one MCP server at a time.');
      return { ok: false };
    }
    if (!resource || !userId) return { ok: true };
    const endpoint = await this.endpoints.resolve(resource);
    if (!endpoint) {
      this.sendNotAllowed(res, interaction, uid, 'The MCP server this application asked for does not exist.');
      return { ok: false };
    }
    try {
      await this.tenancy.actorForUser(endpoint.tenantSlug, userId);
    } catch {
      this.sendNotAllowed(
        res,
        interaction,
        uid,
        `Your account is not a member of the organisation "${endpoint.tenantSlug}". Ask one of its admins for an invitation.`,
      );
      return { ok: false };
    }
    return { endpoint, ok: true };
  }

  private sendNotAllowed(res: Response, interaction: Interaction, uid: string, message: string): void {
    this.send(
      res,
      403,
      messagePage({
        title: 'Access not possible',
        message,
        denyAction: `${INTERACTION_PATH}/${uid}/abort`,
        csrf: this.csrfFor(uid),
      }),
      interaction,
    );
  }

  private requestedScopes(interaction: Interaction): string[] {
    const scope = interaction.params.scope;
    return (typeof scope === 'string' ? scope : '').split(' ').filter(Boolean);
  }

  @Get(':uid')
  async show(@Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const interaction = await this.interaction(req, res, uid);
    if (!interaction) return;
    const client = await this.clientView(interaction, res);
    if (!client) return;
    const csrf = this.csrfFor(uid);
    if (interaction.prompt.name === 'login') {
      this.send(res, 200, loginPage({ action: `${INTERACTION_PATH}/${uid}/login`, csrf, client }), interaction);
      return;
    }
    const { endpoint, ok } = await this.target(res, interaction, uid);
    if (!ok) return;
    const userId = interaction.session!.accountId;
    const scopes = this.requestedScopes(interaction);
    if (
      endpoint &&
      rememberable(interaction.prompt.reasons) &&
      (await this.consents.covers(
        { tenantId: endpoint.tenantId, userId },
        { clientId: client.clientId, resource: endpoint.url, scopes },
      ))
    ) {
      await this.grant(req, res, interaction);
      return;
    }
    const user = await this.users.findById(userId);
    this.send(
      res,
      200,
      consentPage({
        action: `${INTERACTION_PATH}/${uid}/consent`,
        denyAction: `${INTERACTION_PATH}/${uid}/abort`,
        csrf,
        client,
        account: user?.email ?? userId,
        ...(endpoint ? { target: `${endpoint.server.title} (${endpoint.tenantSlug})` } : {}),
        scopes,
        // Every client allowed the refresh_token grant gets refresh tokens (authorization-server.ts): say so.
        refreshDays: (await this.provider.Client.find(client.clientId).catch(() => undefined))?.grantTypes?.includes(
          'refresh_token',
        )
          ? Math.round(this.refreshTtlSeconds / 86_400)
          : undefined,
      }),
      interaction,
    );
  }

  @Post(':uid/login')
  async login(@Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const interaction = await this.interaction(req, res, uid);
    if (!interaction) return;
    const client = await this.clientView(interaction, res);
    if (!client) return;
    const csrf = this.csrfFor(uid);
    const again = (status: number, error: string) =>
      this.send(
        res,
        status,
        loginPage({ action: `${INTERACTION_PATH}/${uid}/login`, csrf, client, email: field(req, 'email'), error }),
        interaction,
      );
    if (!this.csrfValid(req, uid)) return again(403, 'This form expired. Please sign in again.');
    if (interaction.prompt.name !== 'login') return again(400, 'You are signed in already.');
    try {
      const user = await this.accounts.signIn({
        email: field(req, 'email'),
        password: field(req, 'password'),
        ip: req.ip ?? 'unknown',
        requestId: requestIdOf(req),
      });
      await this.finish(req, res, { login: { accountId: user.id } });
    } catch (error) {
      if (error instanceof IdentityError) return again(error.code === 'too_many_attempts' ? 429 : 401, error.message);
      throw error;
    }
  }

  @Post(':uid/consent')
  async consent(@Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const interaction = await this.interaction(req, res, uid);
    if (!interaction) return;
    if (!this.csrfValid(req, uid) || interaction.prompt.name !== 'consent') {
      this.send(res, 403, messagePage({ title: 'Request refused', message: 'This form expired. Start again.' }));
      return;
    }
    const { endpoint, ok } = await this.target(res, interaction, uid);
    if (!ok) return;
    if (endpoint) {
      const client = await this.clientView(interaction, res);
      if (!client) return;
      await this.consents.remember(
        { tenantId: endpoint.tenantId, userId: interaction.session!.accountId },
        {
          clientId: client.clientId,
          clientName: client.name === client.clientId ? null : client.name.slice(0, 200),
          resource: endpoint.url,
          scopes: this.requestedScopes(interaction),
        },
        requestIdOf(req),
      );
    }
    await this.grant(req, res, interaction);
  }

  @Post(':uid/abort')
  async abort(@Param('uid') uid: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const interaction = await this.interaction(req, res, uid);
    if (!interaction) return;
    if (!this.csrfValid(req, uid)) {
      this.send(res, 403, messagePage({ title: 'Request refused', message: 'This form expired. Start again.' }));
      return;
    }
    await this.refuse(req, res, 'The person did not allow access.');
  }

  /** Grants what the consent prompt found missing (scopes per resource, OIDC scopes/claims) and resumes. */
  private async grant(req: Request, res: Response, interaction: Interaction): Promise<void> {
    const { prompt, params, session } = interaction;
    const grant = interaction.grantId
      ? await this.provider.Grant.find(interaction.grantId)
      : new this.provider.Grant({ accountId: session!.accountId, clientId: String(params.client_id) });
    if (!grant) return this.refuse(req, res, 'The authorization request is no longer valid.');
    const details = prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {}))
      grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    await this.finish(req, res, { consent: { grantId } }, true);
  }
}
