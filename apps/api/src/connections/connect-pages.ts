import { Inject, Injectable } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { connectPageUrl } from '@gatehouse/connections';
import type { ConnectionRecord } from '@gatehouse/db';
import { htmlEscape as e, renderPage } from '../common/html-page.js';
import { API_CONFIG } from '../infrastructure/tokens.js';

/**
 * Gatehouse's own connect page: where a person (re)connects a provider, and the link given to them — by the
 * console, a tool error or an MCP URL elicitation — when a tool needs a connection or more scopes. The link holds
 * no secret: the page acts only for the signed-in browser user, after they press the button.
 */
@Injectable()
export class ConnectPages {
  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  url(tenantSlug: string, providerId: string, scopes: readonly string[]): string {
    return connectPageUrl(this.config.PUBLIC_API_URL, tenantSlug, providerId, scopes);
  }

  signInUrl(): string {
    return this.config.PUBLIC_WEB_URL;
  }

  connectPage(input: {
    action: string;
    csrf: string;
    tenantSlug: string;
    providerName: string;
    account: string;
    scopes: string[];
    connection: ConnectionRecord | null;
    /** The MCP elicitation this page answers, carried through the form. */
    elicitation: string;
  }): string {
    const current = input.connection
      ? `<p class="muted">Now connected as <strong>${e(input.connection.accountLabel ?? input.connection.externalAccountId)}</strong>${
          input.connection.status === 'needs_reauth'
            ? ' — <span class="error">stopped working, connect again</span>'
            : ''
        }, with ${e(input.connection.scopes.join(', ') || 'no scopes')}.</p>`
      : '';
    const scopes =
      input.scopes.length > 0
        ? `<p>It will ask you to grant:</p><ul>${input.scopes.map((scope) => `<li><code>${e(scope)}</code></li>`).join('')}</ul>`
        : '';
    return renderPage(
      `Connect ${input.providerName}`,
      `<h1>Connect ${e(input.providerName)}</h1>
<p>Signed in as <strong>${e(input.account)}</strong> in <strong>${e(input.tenantSlug)}</strong>.</p>
<p>Tools you use through Gatehouse will act at ${e(input.providerName)} <strong>as you</strong>, with your own
permissions there. Gatehouse keeps the tokens encrypted and never shows them to AI clients or models.</p>
${current}${scopes}
<form method="post" action="${e(input.action)}">
<input type="hidden" name="csrf" value="${e(input.csrf)}">
<input type="hidden" name="scope" value="${e(input.scopes.join(' '))}">
<input type="hidden" name="elicitation" value="${e(input.elicitation)}">
<button type="submit">Continue to ${e(input.providerName)}</button></form>
<p class="muted">You can disconnect at any time in the console.</p>`,
    );
  }

  message(title: string, message: string, link?: { href: string; text: string }): string {
    const action = link ? `<p><a href="${e(link.href)}">${e(link.text)}</a></p>` : '';
    return renderPage(title, `<h1>${e(title)}</h1><p>${e(message)}</p>${action}`);
  }
}
