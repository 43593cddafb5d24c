import type { Metadata, Viewport } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { CsrfProvider } from '@/components/csrf';
import { SignOutButton } from '@/components/sign-out-button';
import { ThemeToggle, type Theme } from '@/components/theme-toggle';
import { currentSession } from '@/lib/session';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Gatehouse', template: '%s · Gatehouse' },
  description: 'Tool calling for AI agents, with each person’s own authorization.',
};

export const viewport: Viewport = {
  colorScheme: 'light dark',
  width: 'device-width',
  initialScale: 1,
};

async function sessionOrNull() {
  // The status page must render even when the api is down: no session then.
  try {
    return await currentSession();
  } catch {
    return null;
  }
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const stored = (await cookies()).get('gh_theme')?.value;
  const theme: Theme = stored === 'light' || stored === 'dark' ? stored : 'system';
  const session = await sessionOrNull();
  return (
    <html lang="en" {...(theme === 'system' ? {} : { 'data-theme': theme })}>
      <body>
        <CsrfProvider token={session?.csrfToken}>
          <a className="skip-link" href="#main">
            Skip to content
          </a>
          <header className="topbar">
            <Link href="/" className="brand">
              Gatehouse
            </Link>
            <div className="topbar-actions">
              <ThemeToggle initial={theme} />
              {session ? (
                <>
                  <span className="muted hide-narrow" data-testid="signed-in-as">
                    {session.user.email}
                  </span>
                  <SignOutButton />
                </>
              ) : (
                <>
                  <Link href="/sign-in" className="button ghost">
                    Sign in
                  </Link>
                  <Link href="/sign-up" className="button">
                    Sign up
                  </Link>
                </>
              )}
            </div>
          </header>
          {children}
        </CsrfProvider>
      </body>
    </html>
  );
}
