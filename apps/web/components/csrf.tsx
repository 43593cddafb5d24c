'use client';

import { createContext, useContext, type ReactNode } from 'react';

const CsrfContext = createContext<string | undefined>(undefined);

/** Hands the session's CSRF token (from the server's session lookup) to the forms below. */
export function CsrfProvider({ token, children }: { token: string | undefined; children: ReactNode }) {
  return <CsrfContext.Provider value={token}>{children}</CsrfContext.Provider>;
}

export function useCsrf(): string | undefined {
  return useContext(CsrfContext);
}
