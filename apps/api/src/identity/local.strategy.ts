import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { signInRequest } from '@gatehouse/contracts';
import { AccountService } from '@gatehouse/identity';
import type { UserRecord } from '@gatehouse/db';
import type { Request } from 'express';
import { Strategy } from 'passport-local';

/** passport-local: email + password from the JSON body, checked (and rate-limited, audited) by AccountService. */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(@Inject(AccountService) private readonly accounts: AccountService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true, session: false });
  }

  validate(req: Request, email: string, password: string): Promise<UserRecord> {
    signInRequest.parse(req.body);
    return this.accounts.signIn({
      email,
      password,
      ip: req.ip ?? 'unknown',
      requestId: typeof req.id === 'string' ? req.id : undefined,
    });
  }
}

/**
 * Checks the sign-in body before passport-local reads it: a missing field or an unexpected shape is a 400 naming the
 * field (`validation_failed`), not the 401 "Unauthorized" passport answers for a request it cannot read.
 */
@Injectable()
export class SignInBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    signInRequest.parse(context.switchToHttp().getRequest<Request>().body);
    return true;
  }
}
