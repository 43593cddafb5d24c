import { z } from 'zod';

// Console authentication (`/api/v1/auth/*`).

export const signUpRequest = z
  .object({
    email: z.email().max(320),
    // A bound on the input's size (UTF-16 units); the password policy counts characters (12–256).
    password: z.string().min(1).max(1024),
    displayName: z.string().trim().min(1).max(200),
  })
  .strict();
export type SignUpRequest = z.infer<typeof signUpRequest>;

export const signInRequest = z
  .object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1024) })
  .strict();
export type SignInRequest = z.infer<typeof signInRequest>;

export const publicUser = z.object({ id: z.uuid(), email: z.email(), displayName: z.string() });
export type PublicUser = z.infer<typeof publicUser>;

/** The signed-in person and the CSRF token their state-changing requests must send as `x-csrf-token`. */
export const sessionResponse = z.object({ user: publicUser, csrfToken: z.string() });
export type SessionResponse = z.infer<typeof sessionResponse>;

export const CSRF_HEADER = 'x-csrf-token';
