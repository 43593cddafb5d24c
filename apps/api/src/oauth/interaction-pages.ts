import { htmlEscape as e, renderPage as page } from '../common/html-page.js';

/** Server-rendered sign-in and consent pages: no script at all, so the CSP can forbid every script. */

export interface ClientView {
  name: string;
  clientId: string;
  redirectHost: string;
}

function clientLine(client: ClientView): string {
  return `<p><strong>${e(client.name)}</strong> <span class="muted">(returns to <code>${e(client.redirectHost)}</code>)</span></p>`;
}

export function loginPage(input: {
  action: string;
  csrf: string;
  client: ClientView;
  email?: string;
  error?: string;
}): string {
  return page(
    'Sign in',
    `<h1>Sign in to Gatehouse</h1>${clientLine(input.client)}<p>wants to connect to your account.</p>
${input.error ? `<p class="error" role="alert">${e(input.error)}</p>` : ''}
<form method="post" action="${e(input.action)}">
<input type="hidden" name="csrf" value="${e(input.csrf)}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${e(input.email ?? '')}">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>`,
  );
}

const SCOPE_TEXT: Record<string, string> = {
  'mcp:tools': 'List and call the tools of this MCP server, acting as you',
  openid: 'Know who you are (your account id)',
  offline_access: 'Stay connected when you are away (refresh tokens)',
  email: 'See your email address',
};

export function consentPage(input: {
  action: string;
  denyAction: string;
  csrf: string;
  client: ClientView;
  account: string;
  target?: string;
  scopes: string[];
  /** The client will get refresh tokens (it may keep acting for this long without asking again). */
  refreshDays?: number | undefined;
}): string {
  const scopes =
    input.scopes
      .filter((scope) => scope !== 'offline_access')
      .map((scope) => `<li><code>${e(scope)}</code> — ${e(SCOPE_TEXT[scope] ?? 'Additional access')}</li>`)
      .join('') +
    (input.refreshDays
      ? `<li>Stay connected while you are away: up to ${input.refreshDays} days without asking again</li>`
      : '');
  return page(
    'Allow access',
    `<h1>Allow access?</h1>${clientLine(input.client)}
<p class="muted">Client id: <code>${e(input.client.clientId)}</code></p>
<p>wants to act as <strong>${e(input.account)}</strong>${input.target ? ` on <strong>${e(input.target)}</strong>` : ''} with these permissions:</p>
<ul>${scopes}</ul>
<p class="muted">Your choice is remembered for this application; you can revoke it at any time, which also signs the application out.</p>
<form method="post" action="${e(input.action)}" style="display:inline"><input type="hidden" name="csrf" value="${e(input.csrf)}"><button type="submit">Allow</button></form>
<form method="post" action="${e(input.denyAction)}" style="display:inline"><input type="hidden" name="csrf" value="${e(input.csrf)}"><button type="submit">Deny</button></form>`,
  );
}

export function messagePage(input: { title: string; message: string; denyAction?: string; csrf?: string }): string {
  const back =
    input.denyAction && input.csrf
      ? `<form method="post" action="${e(input.denyAction)}"><input type="hidden" name="csrf" value="${e(input.csrf)}"><button type="submit">Return to the application</button></form>`
      : '';
  return page(input.title, `<h1>${e(input.title)}</h1><p>${e(input.message)}</p>${back}`);
}
