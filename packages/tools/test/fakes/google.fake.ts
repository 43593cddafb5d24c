import { startFakeServer, type FakeServer } from './fake-server.js';

/**
 * A local stand-in for Google Calendar API v3 and Gmail API v1 (under `/calendar/v3` and `/gmail/v1`), answering the
 * documented shapes and Google's error format `{error: {code, message, status, errors: [{reason}]}}` — 401
 * UNAUTHENTICATED, 403 insufficientPermissions, rateLimitExceeded and quotaExceeded, 404 notFound.
 */
export type FakeGoogle = FakeServer;

export const GOOGLE_TOKEN = 'ya29.fake-google-token';
export const CALENDAR_ONLY_TOKEN = 'ya29.fake-calendar-only';

const googleError = (code: number, status: string, reason: string, message: string) => ({
  error: { code, message, status, errors: [{ reason, message, domain: 'global' }] },
});

const mail = {
  id: '18c0ffee',
  threadId: '18c0ffee',
  snippet: 'Lunch on Friday?',
  payload: {
    mimeType: 'multipart/alternative',
    headers: [
      { name: 'From', value: 'Alice <alice@example.com>' },
      { name: 'To', value: 'bob@example.com' },
      { name: 'Subject', value: 'Lunch' },
      { name: 'Date', value: 'Mon, 30 Nov 2026 09:00:00 +0000' },
    ],
    parts: [
      { mimeType: 'text/html', body: { data: Buffer.from('<p>Lunch on Friday?</p>').toString('base64url') } },
      { mimeType: 'text/plain', body: { data: Buffer.from('Lunch on Friday? — A.').toString('base64url') } },
    ],
  },
};

/** A newsletter: only an HTML body (no text/plain part), as many real messages are. */
const htmlOnly = {
  id: '18c0ffed',
  threadId: '18c0ffed',
  snippet: 'This week',
  payload: {
    mimeType: 'text/html',
    headers: [{ name: 'Subject', value: 'News' }],
    body: {
      data: Buffer.from(
        '<html><head><style>p{color:red}</style></head><body><h1>This week</h1><p>Tea &amp; cake&nbsp;at 3<br>Room&#160;&#x31;2</p><script>x()</script></body></html>',
      ).toString('base64url'),
    },
  },
};

export async function startFakeGoogle(): Promise<FakeGoogle> {
  return startFakeServer(({ method, url, body, token }, send) => {
    if (token !== GOOGLE_TOKEN && token !== CALENDAR_ONLY_TOKEN)
      return send(
        401,
        googleError(401, 'UNAUTHENTICATED', 'authError', 'Request had invalid authentication credentials.'),
      );

    if (url.pathname === '/calendar/v3/calendars/primary/events' && method === 'GET') {
      if (url.searchParams.get('timeMin') === '2030-01-01T00:00:00Z')
        return send(403, googleError(403, 'PERMISSION_DENIED', 'rateLimitExceeded', 'Rate Limit Exceeded'));
      // Calendar's usage limits (documented as 403 quotaExceeded, e.g. after too many invitations).
      if (url.searchParams.get('timeMin') === '2031-01-01T00:00:00Z')
        return send(403, googleError(403, 'PERMISSION_DENIED', 'quotaExceeded', 'Calendar usage limits exceeded.'));
      return send(200, {
        kind: 'calendar#events',
        items: [
          {
            id: 'evt1',
            summary: 'Standup',
            status: 'confirmed',
            htmlLink: 'https://www.google.com/calendar/event?eid=evt1',
            start: { dateTime: '2026-12-01T09:00:00+01:00' },
            end: { dateTime: '2026-12-01T09:15:00+01:00' },
          },
          { id: 'evt2', summary: 'Holiday', start: { date: '2026-12-24' }, end: { date: '2026-12-25' } },
        ],
        nextPageToken: 'page2',
      });
    }
    if (url.pathname === '/calendar/v3/calendars/primary/events' && method === 'POST') {
      const input = body as { summary: string; start: unknown; end: unknown };
      return send(200, {
        id: 'evt3',
        status: 'confirmed',
        summary: input.summary,
        htmlLink: 'https://www.google.com/calendar/event?eid=evt3',
        start: input.start,
        end: input.end,
      });
    }
    if (url.pathname.startsWith('/calendar/v3/calendars/'))
      return send(404, googleError(404, 'NOT_FOUND', 'notFound', 'Not Found'));

    if (url.pathname.startsWith('/gmail/v1/') && token === CALENDAR_ONLY_TOKEN)
      return send(
        403,
        googleError(
          403,
          'PERMISSION_DENIED',
          'insufficientPermissions',
          'Request had insufficient authentication scopes.',
        ),
        {
          'www-authenticate':
            'Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://www.googleapis.com/auth/gmail.readonly"',
        },
      );
    if (url.pathname === '/gmail/v1/users/me/messages' && method === 'GET')
      return send(200, { messages: [{ id: mail.id, threadId: mail.threadId }], resultSizeEstimate: 1 });
    if (url.pathname === `/gmail/v1/users/me/messages/${mail.id}`) return send(200, mail);
    if (url.pathname === `/gmail/v1/users/me/messages/${htmlOnly.id}`) return send(200, htmlOnly);
    if (url.pathname === '/gmail/v1/users/me/messages/send' && method === 'POST')
      return send(200, { id: '18c0ffef', threadId: '18c0ffef', labelIds: ['SENT'] });
    return send(404, googleError(404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.'));
  });
}
