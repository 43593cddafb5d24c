import type { PendingAuthorization } from './oauth.store.js';

function escape(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}.note{color:#666;font-size:.9rem}.error{color:#b00020}label{display:block;margin:.5rem 0}
input[type=text]{padding:.4rem;width:100%;box-sizing:border-box}button{padding:.5rem 1.2rem;margin-right:.5rem}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)} · Demo provider</title>
<style>${STYLE}</style></head><body>${body}</body></html>`;
}

/**
 * The consent screen. There are no passwords: whoever types a user name is that user (this is a demo provider).
 * Field names are part of the interface tests drive: interaction, csrf, username, scope (repeated), decision.
 */
export function approvalPage(pending: PendingAuthorization, options: { username: string; error?: string }): string {
  const scopes = pending.scopes
    .map(
      (scope) =>
        `<label><input type="checkbox" name="scope" value="${escape(scope)}" checked> ${escape(scope)}</label>`,
    )
    .join('');
  return page(
    'Authorize',
    `<h1>Authorize ${escape(pending.clientId)}</h1>
<p><strong>${escape(pending.clientId)}</strong> wants to access your notes on the demo provider.</p>
${options.error ? `<p class="error" role="alert">${escape(options.error)}</p>` : ''}
<form method="post" action="authorize">
<input type="hidden" name="interaction" value="${escape(pending.id)}">
<input type="hidden" name="csrf" value="${escape(pending.csrf)}">
<label>Sign in as (any name; no password)
<input type="text" name="username" value="${escape(options.username)}" autocomplete="username" required></label>
<fieldset><legend>Permissions</legend>${scopes}</fieldset>
<p><button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button></p>
</form>
<p class="note">Demo provider for development and tests. Not for production.</p>`,
  );
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escape(title)}</h1><p class="error" role="alert">${escape(message)}</p>`);
}
