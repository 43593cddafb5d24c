import { Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { CALLBACK_PATH, CONNECT_PATH, ConnectionsError, ConnectionService } from '@gatehouse/connections';
import { UserRepository, type Database } from '@gatehouse/db';
import { csrfTokenMatches, SessionStore, type Session } from '@gatehouse/identity';
import { TenancyError, TenantAdminService, type Actor } from '@gatehouse/tenancy';
import type { Request, Response } from 'express';
import { sendPage } from '../common/html-page.js';
import { CONNECTIONS_STATUS } from '../common/problem-details.js';
import { SessionCookie } from '../identity/session-cookie.js';
import { API_CONFIG, DATABASE } from '../infrastructure/tokens.js';
import { ConnectElicitations } from './connect-elicitations.js';
import { ConnectPages } from './connect-pages.js';

const requestIdOf = (req: Request) => (typeof req.id === 'string' ? req.id : undefined);

function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function scopesOf(value: unknown): string[] {
  return typeof value === 'string' ? [...new Set(value.split(' ').filter(Boolean))].slice(0, 100) : [];
}

/**
 * The browser side of connecting a provider: the connect page (a button that starts the flow — a plain link
 * never does), and the callback the provider redirects back to. Both act only for the signed-in console user of
 * this browser; the callback also requires that the flow was started by that same user. Answers are HTML pages.
 */
@Controller()
export class ConnectController {
  private readonly apiOrigin: string;
  private readonly webUrl: string;
  /** The console is on another host name than the api: its session cookie never reaches the api directly. */
  private readonly consoleElsewhere: boolean;
  private readonly users: UserRepository;

  constructor(
    @Inject(ConnectionService) private readonly connections: ConnectionService,
    @Inject(ConnectPages) private readonly pages: ConnectPages,
    @Inject(TenantAdminService) private readonly tenancy: TenantAdminService,
    @Inject(SessionStore) private readonly sessions: SessionStore,
    @Inject(SessionCookie) private readonly cookie: SessionCookie,
    @Inject(ConnectElicitations) private readonly elicitations: ConnectElicitations,
    @Inject(API_CONFIG) config: ApiConfig,
    @Inject(DATABASE) db: Database,
  ) {
    this.apiOrigin = new URL(config.PUBLIC_API_URL).origin;
    this.webUrl = config.PUBLIC_WEB_URL;
    this.consoleElsewhere = new URL(config.PUBLIC_WEB_URL).hostname !== new URL(config.PUBLIC_API_URL).hostname;
    this.users = new UserRepository(db);
  }

  private async session(req: Request): Promise<Session | null> {
    return this.sessions.get(this.cookie.read(req));
  }

  private signInPage(res: Response): void {
    sendPage(
      res,
      401,
      this.pages.message(
        'Sign in first',
        'Sign in to the Gatehouse console in this browser, then open this link again.',
        {
          href: this.pages.signInUrl(),
          text: 'Open the Gatehouse console',
        },
      ),
    );
  }

  /** The member acting in `slug`, or a page saying why not (sent, and undefined returned). */
  private async actor(
    req: Request,
    res: Response,
    slug: string,
  ): Promise<{ actor: Actor; session: Session } | undefined> {
    const session = await this.session(req);
    if (!session) {
      this.signInPage(res);
      return undefined;
    }
    try {
      return { actor: await this.tenancy.actorForUser(slug, session.userId), session };
    } catch (error) {
      if (!(error instanceof TenancyError)) throw error;
      const elicitation = req.method === 'POST' ? field(req, 'elicitation') : req.query.elicitation;
      if (typeof elicitation === 'string' && elicitation !== '')
        await this.elicitations.refuseOutsider(elicitation, session.userId, requestIdOf(req));
      sendPage(
        res,
        404,
        this.pages.message('Not found', 'There is no such organisation, or you are not a member of it.'),
      );
      return undefined;
    }
  }

  /**
   * A link handed to an MCP client names the person it is for (`?elicitation=`): only that person may use it
   * (`ConnectElicitations.verify`). True when there is none or it is theirs; otherwise the page saying why is sent.
   */
  private async elicitationAllows(
    req: Request,
    res: Response,
    acting: { actor: Actor; session: Session },
    providerId: string,
    elicitationId: string,
  ): Promise<boolean> {
    if (elicitationId === '') return true;
    try {
      await this.elicitations.verify(
        elicitationId,
        { tenantId: acting.actor.tenantId, userId: acting.session.userId, providerId },
        requestIdOf(req),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConnectionsError)) throw error;
      if (error.code === 'elicitation_refused')
        sendPage(res, 403, this.pages.message('This link is for someone else', error.message));
      else sendPage(res, 400, this.pages.message('This link has expired', error.message));
      return false;
    }
  }

  private failure(res: Response, error: unknown): void {
    if (!(error instanceof ConnectionsError)) throw error;
    if (error.returnTo) {
      // A flow started from the console goes back there, which says what happened (by code: the console words it).
      const target = new URL(error.returnTo, this.webUrl);
      target.searchParams.set('connection_error', error.code);
      res.redirect(303, target.toString());
      return;
    }
    sendPage(res, CONNECTIONS_STATUS[error.code], this.pages.message('Not connected', error.message));
  }

  @Get(`${CONNECT_PATH.slice(1)}/:slug/:provider`)
  async page(
    @Param('slug') slug: string,
    @Param('provider') providerId: string,
    @Query('scope') scope: unknown,
    @Query('elicitation') elicitation: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const acting = await this.actor(req, res, slug);
    if (!acting) return;
    const elicitationId = typeof elicitation === 'string' ? elicitation : '';
    if (!(await this.elicitationAllows(req, res, acting, providerId, elicitationId))) return;
    try {
      const described = await this.connections.describe(acting.actor, providerId);
      if (!described.allowedScopes || !described.authorizationOrigin) {
        sendPage(
          res,
          409,
          this.pages.message(
            `${described.providerName} is not set up`,
            `An admin of ${acting.actor.tenantSlug} must configure ${described.providerName} before anyone can connect it.`,
          ),
        );
        return;
      }
      const user = await this.users.findById(acting.session.userId);
      const html = this.pages.connectPage({
        action: `${CONNECT_PATH}/${encodeURIComponent(slug)}/${encodeURIComponent(providerId)}`,
        csrf: acting.session.csrfToken,
        tenantSlug: acting.actor.tenantSlug,
        providerName: described.providerName,
        account: user?.email ?? 'you',
        scopes: [...new Set([...(described.connection?.scopes ?? []), ...scopesOf(scope)])],
        connection: described.connection,
        elicitation: elicitationId,
      });
      // The form's answer redirects to the provider: form-action must allow its origin.
      sendPage(res, 200, html, [described.authorizationOrigin]);
    } catch (error) {
      this.failure(res, error);
    }
  }

  @Post(`${CONNECT_PATH.slice(1)}/:slug/:provider`)
  async start(
    @Param('slug') slug: string,
    @Param('provider') providerId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const acting = await this.actor(req, res, slug);
    if (!acting) return;
    const origin = req.headers.origin;
    if ((origin !== undefined && origin !== this.apiOrigin) || !csrfTokenMatches(acting.session, field(req, 'csrf'))) {
      sendPage(res, 403, this.pages.message('This form expired', 'Open the connect link again.'));
      return;
    }
    if (!(await this.elicitationAllows(req, res, acting, providerId, field(req, 'elicitation')))) return;
    try {
      const elicitationId = field(req, 'elicitation');
      if (elicitationId) await this.elicitations.holdForFlow(elicitationId);
      const started = await this.connections.start(
        acting.actor,
        providerId,
        { scopes: scopesOf(field(req, 'scope')), ...(elicitationId ? { elicitationId } : {}) },
        requestIdOf(req),
      );
      res.redirect(303, started.authorizationUrl);
    } catch (error) {
      this.failure(res, error);
    }
  }

  /** Where providers send the browser back (`?code&state` or `?error&state`). */
  @Get(CALLBACK_PATH.slice(1))
  async callback(@Query() query: Record<string, unknown>, @Req() req: Request, @Res() res: Response): Promise<void> {
    const text = (name: string) => (typeof query[name] === 'string' ? query[name] : undefined);
    const session = await this.session(req);
    if (!session && this.consoleElsewhere && text('via') !== 'console') {
      // Signed in through the console on another host: the session cookie lives there (cookies are per host). Send
      // the browser, once, to this same callback through the console's /api/v1 forwarder, where the cookie travels.
      const target = new URL(CALLBACK_PATH, this.webUrl);
      for (const name of ['state', 'code', 'error'])
        if (text(name) !== undefined) target.searchParams.set(name, text(name)!);
      target.searchParams.set('via', 'console');
      res.redirect(303, target.toString());
      return;
    }
    const callback = { state: text('state'), code: text('code'), error: text('error') };
    try {
      const done = await this.connections.complete(session?.userId, callback, requestIdOf(req));
      const { connection } = done;
      // The MCP client that sent the person here learns that it may retry (URL elicitation's completion notice).
      if (done.elicitationId) await this.elicitations.completed(done.elicitationId, connection);
      if (done.returnTo) {
        const target = new URL(done.returnTo, this.webUrl);
        target.searchParams.set('connected', connection.providerId);
        res.redirect(303, target.toString());
        return;
      }
      sendPage(
        res,
        200,
        this.pages.message(
          'Connected',
          `Your account ${connection.accountLabel ?? connection.externalAccountId} is connected with ${connection.scopes.join(', ') || 'no scopes'}. You can close this window and return to your AI client.`,
        ),
      );
    } catch (error) {
      if (error instanceof ConnectionsError && error.code === 'invalid_state' && !session) {
        this.signInPage(res);
        return;
      }
      this.failure(res, error);
    }
  }
}
