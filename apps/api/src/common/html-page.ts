import type { Response } from 'express';

/** Server-rendered pages of the api (OAuth sign-in and consent, connect pages): no script at all. */

export function htmlEscape(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1b1b1f}
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
button{margin:1rem .5rem 0 0;padding:.55rem 1.2rem;font:inherit;cursor:pointer}.error{color:#b00020}
.muted{color:#555;font-size:.9rem}ul{padding-left:1.2rem}code{background:#f2f2f5;padding:0 .25rem}
@media (prefers-color-scheme:dark){body{background:#121216;color:#e8e8ee}code{background:#26262c}.muted{color:#aaa}}`;

export function renderPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${htmlEscape(title)} · Gatehouse</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

/**
 * Sends a page that cannot be framed, cached or leak its URL to another site, and whose forms may only post to `formTargets`
 * (browsers apply form-action to the redirects that follow a submission too).
 */
export function sendPage(res: Response, status: number, html: string, formTargets: readonly string[] = []): void {
  res
    .status(status)
    .set({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${["'self'", ...formTargets].join(' ')}; frame-ancestors 'none'; base-uri 'none'`,
      'x-frame-options': 'DENY',
      // Not `no-referrer`: browsers then send `Origin: null` with the page's own form posts (Fetch, "append a request
      // Origin header"), which the forms' origin check must refuse. `same-origin` still tells other sites nothing.
      'referrer-policy': 'same-origin',
    })
    .send(html);
}
