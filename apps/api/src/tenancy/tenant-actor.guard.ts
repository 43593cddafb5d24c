import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { SessionStore } from '@gatehouse/identity';
import { TenantAdminService, type Actor } from '@gatehouse/tenancy';
import type { Request } from 'express';
import { SessionCookie } from '../identity/session-cookie.js';
import { requireSession } from '../identity/session.guard.js';

export type ActorRequest = Request & { actor?: Actor };

/**
 * Resolves who acts in the tenant named by `:slug`: a tenant API key (`Authorization: Bearer ghk_…`) or a console
 * session (whose state-changing requests must carry the CSRF token). Non-members get 404, like missing tenants.
 */
@Injectable()
export class TenantActorGuard implements CanActivate {
  constructor(
    @Inject(TenantAdminService) private readonly tenancy: TenantAdminService,
    @Inject(SessionStore) private readonly sessions: SessionStore,
    @Inject(SessionCookie) private readonly cookie: SessionCookie,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<ActorRequest>();
    const slug = String(req.params.slug ?? '');
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      req.actor = await this.tenancy.actorForApiKey(slug, authorization.slice('Bearer '.length).trim());
      return true;
    }
    const session = await requireSession(this.sessions, this.cookie, req);
    req.actor = await this.tenancy.actorForUser(slug, session.userId);
    return true;
  }
}
