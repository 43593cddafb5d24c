import type { ApiConfig } from '@gatehouse/config';
import type { Request, Response } from 'express';

/**
 * The console session cookie: httpOnly, SameSite=Lax, and — whenever the api or the console is served over https —
 * Secure with the `__Host-` prefix (bound to this exact host, path /). The cookie lives on the console's origin
 * (its /api forwarder) as much as on the api's, so either being https means it must never travel in clear.
 * Plain-http localhost development gets a plain name.
 */
export class SessionCookie {
  readonly name: string;
  private readonly secure: boolean;

  constructor(config: ApiConfig) {
    this.secure = config.PUBLIC_API_URL.startsWith('https://') || config.PUBLIC_WEB_URL.startsWith('https://');
    this.name = this.secure ? '__Host-gh_session' : 'gh_session';
  }

  read(req: Request): string | undefined {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0 || part.slice(0, eq).trim() !== this.name) continue;
      // A value that is not valid percent-encoding (planted, or mangled) is no session, never a failed request.
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  set(res: Response, id: string, maxAgeSeconds: number): void {
    res.cookie(this.name, id, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure,
      path: '/',
      maxAge: maxAgeSeconds * 1000,
    });
  }

  clear(res: Response): void {
    res.clearCookie(this.name, { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/' });
  }
}
