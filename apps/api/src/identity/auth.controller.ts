import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { PLATFORM_CHAIN, type AuditLog } from '@gatehouse/audit';
import { signUpRequest, type SessionResponse } from '@gatehouse/contracts';
import { UserRepository, type Database, type UserRecord } from '@gatehouse/db';
import { AccountService, SessionStore } from '@gatehouse/identity';
import type { Request, Response } from 'express';
import { AUDIT, DATABASE } from '../infrastructure/tokens.js';
import { OriginGuard } from './origin.guard.js';
import { SignInBodyGuard } from './local.strategy.js';
import { SessionCookie } from './session-cookie.js';
import { SessionGuard, type SessionRequest } from './session.guard.js';

const SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600;

function toPublic(user: UserRecord) {
  return { id: user.id, email: user.email, displayName: user.displayName };
}

const requestIdOf = (req: Request) => (typeof req.id === 'string' ? req.id : undefined);

@Controller('api/v1/auth')
export class AuthController {
  private readonly users: UserRepository;

  constructor(
    @Inject(AccountService) private readonly accounts: AccountService,
    @Inject(SessionStore) private readonly sessions: SessionStore,
    @Inject(SessionCookie) private readonly cookie: SessionCookie,
    @Inject(AUDIT) private readonly audit: AuditLog,
    @Inject(DATABASE) db: Database,
  ) {
    this.users = new UserRepository(db);
  }

  private async startSession(res: Response, user: UserRecord): Promise<SessionResponse> {
    const { id, session } = await this.sessions.create(user.id);
    this.cookie.set(res, id, SESSION_MAX_AGE_SECONDS);
    return { user: toPublic(user), csrfToken: session.csrfToken };
  }

  @Post('sign-up')
  @UseGuards(OriginGuard)
  async signUp(
    @Body() body: unknown,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionResponse> {
    const input = signUpRequest.parse(body);
    const user = await this.accounts.signUp({ ...input, ip: req.ip ?? 'unknown', requestId: requestIdOf(req) });
    return this.startSession(res, user);
  }

  @Post('sign-in')
  @HttpCode(200)
  @UseGuards(OriginGuard, SignInBodyGuard, AuthGuard('local'))
  signIn(
    @Req() req: Request & { user: UserRecord },
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionResponse> {
    return this.startSession(res, req.user);
  }

  @Post('sign-out')
  @HttpCode(204)
  @UseGuards(SessionGuard)
  async signOut(@Req() req: SessionRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.audit.record({
      tenantId: PLATFORM_CHAIN,
      actor: { type: 'user', id: req.session!.userId },
      action: 'auth.sign_out',
      outcome: 'success',
      requestId: requestIdOf(req),
    });
    await this.sessions.destroy(req.session!.id);
    this.cookie.clear(res);
  }

  @Get('session')
  @UseGuards(SessionGuard)
  async session(@Req() req: SessionRequest): Promise<SessionResponse> {
    const user = await this.users.findById(req.session!.userId);
    if (!user) throw new Error('session refers to a missing user');
    return { user: toPublic(user), csrfToken: req.session!.csrfToken };
  }
}
