import {
  Controller,
  Get,
  Inject,
  Injectable,
  Param,
  Req,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { SessionStore } from '@gatehouse/identity';
import { TenancyError } from '@gatehouse/tenancy';
import { ConnectionsError, ConnectionService } from '@gatehouse/connections';
import type { ConnectRequest } from '@gatehouse/contracts';
import type Provider from 'oidc-provider';
import { AUTHORIZATION_SERVER } from '../oauth/oauth.tokens.js';
import { SessionCookie } from '../identity/session-cookie.js';
import { requireSession } from '../identity/session.guard.js';
import { TenantActorGuard, type ActorRequest } from '../tenancy/tenant-actor.guard.js';
import { ConnectElicitations } from './connect-elicitations.js';

const requestIdOf = (req: ActorRequest) => (typeof req.id === 'string' ? req.id : undefined);

/**
 * The tenant guard, plus: a signed-in person who is no member of the organisation (so gets 404) but holds one of its
 * connect links is audited as refused there (`ConnectElicitations.refuseOutsider`) — a link reaching an outsider is
 * what its organisation's admins most need to see.
 */
@Injectable()
export class ConnectLinkActorGuard implements CanActivate {
  constructor(
    @Inject(TenantActorGuard) private readonly tenant: TenantActorGuard,
    @Inject(SessionStore) private readonly sessions: SessionStore,
    @Inject(SessionCookie) private readonly cookie: SessionCookie,
    @Inject(ConnectElicitations) private readonly elicitations: ConnectElicitations,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.tenant.canActivate(context);
    } catch (error) {
      const req = context.switchToHttp().getRequest<ActorRequest>();
      const id = req.params.elicitationId;
      if (error instanceof TenancyError && error.code === 'not_found' && typeof id === 'string') {
        const session = await requireSession(this.sessions, this.cookie, req).catch(() => undefined);
        if (session) await this.elicitations.refuseOutsider(id, session.userId, requestIdOf(req));
      }
      throw error;
    }
  }
}

/**
 * Who is asking behind a connect link an MCP client was given: the console's connect page shows it before the
 * person decides. Only the person the link was made for may read it (`ConnectElicitations.verify`).
 */
@Controller('api/v1/tenants/:slug/connect-requests')
@UseGuards(ConnectLinkActorGuard)
export class ConnectRequestsController {
  constructor(
    @Inject(ConnectionService) private readonly connections: ConnectionService,
    @Inject(ConnectElicitations) private readonly elicitations: ConnectElicitations,
    @Inject(AUTHORIZATION_SERVER) private readonly authorizationServer: Provider,
  ) {}

  @Get(':elicitationId')
  async show(@Param('elicitationId') elicitationId: string, @Req() req: ActorRequest): Promise<ConnectRequest> {
    const actor = req.actor!;
    if (!actor.userId)
      throw new ConnectionsError('person_required', 'Only the person an AI client asked for can use its link.');
    const elicitation = await this.elicitations.verify(
      elicitationId,
      { tenantId: actor.tenantId, userId: actor.userId },
      requestIdOf(req),
    );
    const [described, client] = await Promise.all([
      this.connections.describe(actor, elicitation.providerId),
      this.authorizationServer.Client.find(elicitation.clientId),
    ]);
    const { connection } = described;
    return {
      elicitationId,
      provider: { id: elicitation.providerId, name: described.providerName },
      client: { id: elicitation.clientId, name: client?.clientName ?? elicitation.clientId },
      scopes: elicitation.scopes ?? [],
      providerConfigured: described.allowedScopes !== null && described.authorizationOrigin !== null,
      connection: connection
        ? {
            status: connection.status,
            accountLabel: connection.accountLabel ?? connection.externalAccountId,
            scopes: connection.scopes,
          }
        : null,
    };
  }
}
