'use client';

import { useState } from 'react';

export type Theme = 'system' | 'light' | 'dark';
const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<Theme, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };

/**
 * Cycles system → light → dark. The choice is a cookie the root layout reads, so the server renders the right
 * theme at once (no flash, no inline script); "system" follows prefers-color-scheme.
 */
export function ThemeToggle({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  function toggle() {
    const next = NEXT[theme];
    setTheme(next);
    if (next === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
    document.cookie = `gh_theme=${next}; path=/; max-age=31536000; samesite=lax`;
  }
  return (
    <button type="button" className="button ghost" onClick={toggle} aria-label={`${LABEL[theme]}. Change theme`}>
      {theme === 'dark' ? '☾' : theme === 'light' ? '☀' : '◐'}
      <span className="hide-narrow"> {LABEL[theme].replace('Theme: ', '')}</span>
    </button>
  );
}
