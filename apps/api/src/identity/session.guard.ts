import {
  Inject,
  Injectable,
  UnauthorizedException,
  ForbiddenException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { CSRF_HEADER } from '@gatehouse/contracts';
import { csrfTokenMatches, SessionStore, type Session } from '@gatehouse/identity';
import type { Request } from 'express';
import { SessionCookie } from './session-cookie.js';

export type SessionRequest = Request & { session?: Session & { id: string } };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The console session of a request, or 401. State-changing methods must also echo the session's CSRF token
 * (403 otherwise). Shared by every guard that accepts a console session.
 */
export async function requireSession(
  sessions: SessionStore,
  cookie: SessionCookie,
  req: Request,
): Promise<Session & { id: string }> {
  const id = cookie.read(req);
  const session = await sessions.get(id);
  if (!session || !id) throw new UnauthorizedException('Sign in first.');
  if (!SAFE_METHODS.has(req.method)) {
    const presented = req.headers[CSRF_HEADER];
    if (!csrfTokenMatches(session, typeof presented === 'string' ? presented : undefined)) {
      throw new ForbiddenException(`Missing or wrong ${CSRF_HEADER} header.`);
    }
  }
  return { ...session, id };
}

/** Requires a console session (see requireSession). */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    @Inject(SessionStore) private readonly sessions: SessionStore,
    @Inject(SessionCookie) private readonly cookie: SessionCookie,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<SessionRequest>();
    req.session = await requireSession(this.sessions, this.cookie, req);
    return true;
  }
}
