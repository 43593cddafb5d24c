import { ForbiddenException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import type { Request } from 'express';
import { API_CONFIG } from '../infrastructure/tokens.js';

/**
 * Refuses browser requests from foreign origins on credential endpoints (login CSRF). Requests without an Origin
 * header (non-browser clients) pass; SameSite=Lax cookies and CSRF tokens cover the rest.
 */
@Injectable()
export class OriginGuard implements CanActivate {
  private readonly allowed: Set<string>;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.allowed = new Set([new URL(config.PUBLIC_WEB_URL).origin, new URL(config.PUBLIC_API_URL).origin]);
  }

  canActivate(context: ExecutionContext): boolean {
    const origin = context.switchToHttp().getRequest<Request>().headers.origin;
    if (origin !== undefined && !this.allowed.has(origin))
      throw new ForbiddenException('This origin may not call the console API.');
    return true;
  }
}
