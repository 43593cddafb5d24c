import { OutboundHttp } from '@gatehouse/connections';
import { findProviderTool, providerApi, ProviderApiError, ToolFailure } from '../src/index.js';
import { textOfHtml } from '../src/toolkits/google.toolkits.js';
import { CALENDAR_ONLY_TOKEN, GOOGLE_TOKEN, startFakeGoogle, type FakeGoogle } from './fakes/google.fake.js';

let google: FakeGoogle;
let http: OutboundHttp;

beforeAll(async () => {
  google = await startFakeGoogle();
  http = new OutboundHttp({ allowLoopback: true });
});

afterAll(async () => {
  await http.close();
  await google.close();
});

async function run(name: string, args: unknown, token = GOOGLE_TOKEN) {
  const { toolkit, tool } = findProviderTool(name)!;
  const base = toolkit.name === 'gmail' ? `${google.url}/gmail/v1` : `${google.url}/calendar/v3`;
  const signal = AbortSignal.timeout(5_000);
  const api = providerApi(http, base, token, signal, toolkit.headers);
  return tool.run(tool.parse(args), { api, signal, progress: async () => {} });
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('Google Calendar toolkit against a fake of Calendar API v3', () => {
  it('lists events (timed and all-day) with the next page token', async () => {
    expect(await run('google_calendar.list_events', { timeMin: '2026-12-01T00:00:00Z' })).toEqual({
      events: [
        {
          id: 'evt1',
          summary: 'Standup',
          start: '2026-12-01T09:00:00+01:00',
          end: '2026-12-01T09:15:00+01:00',
          url: 'https://www.google.com/calendar/event?eid=evt1',
          status: 'confirmed',
        },
        { id: 'evt2', summary: 'Holiday', start: '2026-12-24', end: '2026-12-25', url: null, status: null },
      ],
      nextPageToken: 'page2',
    });
    expect(google.requests.at(-1)!.path).toBe(
      '/calendar/v3/calendars/primary/events?timeMin=2026-12-01T00%3A00%3A00Z&maxResults=50&singleEvents=true&orderBy=startTime',
    );
  });

  it('creates an event and has Google email the attendees their invitations', async () => {
    const created = await run('google_calendar.create_event', {
      summary: 'Review',
      start: { dateTime: '2026-12-02T10:00:00+01:00' },
      end: { dateTime: '2026-12-02T11:00:00+01:00' },
      attendees: ['bob@example.com'],
    });
    expect(created).toMatchObject({ event: { id: 'evt3', summary: 'Review', start: '2026-12-02T10:00:00+01:00' } });
    expect(google.requests.at(-1)!.body).toMatchObject({ attendees: [{ email: 'bob@example.com' }] });
    // Google's default is to email no one.
    expect(google.requests.at(-1)!.url.searchParams.get('sendUpdates')).toBe('all');
    await run('google_calendar.create_event', {
      summary: 'Quiet',
      start: { date: '2026-12-02' },
      end: { date: '2026-12-03' },
      sendUpdates: 'none',
    });
    expect(google.requests.at(-1)!.url.searchParams.get('sendUpdates')).toBe('none');
    expect(
      await failure(run('google_calendar.create_event', { summary: 'x', start: {}, end: { date: '2026-12-02' } })),
    ).toBeInstanceOf(ToolFailure);
    // Both at once is refused here, not sent (Google answers it with a 400).
    const before = google.requests.length;
    expect(
      await failure(
        run('google_calendar.create_event', {
          summary: 'x',
          start: { date: '2026-12-02', dateTime: '2026-12-02T09:00:00Z' },
          end: { date: '2026-12-03' },
        }),
      ),
    ).toBeInstanceOf(ToolFailure);
    // An all-day start with a timed end (or the reverse): Google refuses it, so it is refused here.
    expect(
      await failure(
        run('google_calendar.create_event', {
          summary: 'x',
          start: { date: '2026-12-02' },
          end: { dateTime: '2026-12-02T17:00:00Z' },
        }),
      ),
    ).toBeInstanceOf(ToolFailure);
    expect(google.requests.length).toBe(before);
  });

  it("maps Google's errors: 401, 404, and 403 rateLimitExceeded or quotaExceeded as 429", async () => {
    const status = async (promise: Promise<unknown>) => {
      const error = (await failure(promise)) as ProviderApiError;
      expect(error).toBeInstanceOf(ProviderApiError);
      return [error.status, error.providerCode];
    };
    expect(await status(run('google_calendar.list_events', { timeMin: '2026-12-01T00:00:00Z' }, 'ya29.bad'))).toEqual([
      401,
      'authError',
    ]);
    expect(
      await status(run('google_calendar.list_events', { calendarId: 'other', timeMin: '2026-12-01T00:00:00Z' })),
    ).toEqual([404, 'notFound']);
    expect(await status(run('google_calendar.list_events', { timeMin: '2030-01-01T00:00:00Z' }))).toEqual([
      429,
      'rateLimitExceeded',
    ]);
    // Google gives no time to come back: the caller is still told one.
    const limited = (await failure(
      run('google_calendar.list_events', { timeMin: '2030-01-01T00:00:00Z' }),
    )) as ProviderApiError;
    expect(limited.retryAfterSeconds).toBe(30);
    expect(await status(run('google_calendar.list_events', { timeMin: '2031-01-01T00:00:00Z' }))).toEqual([
      429,
      'quotaExceeded',
    ]);
  });
});

describe('Gmail toolkit against a fake of Gmail API v1', () => {
  it('searches and reads a message (plain-text part, headers)', async () => {
    expect(await run('gmail.search', { query: 'from:alice' })).toEqual({
      messages: [{ id: '18c0ffee', threadId: '18c0ffee' }],
      nextPageToken: null,
      estimate: 1,
    });
    expect(await run('gmail.read_message', { id: '18c0ffee' })).toEqual({
      id: '18c0ffee',
      threadId: '18c0ffee',
      from: 'Alice <alice@example.com>',
      to: 'bob@example.com',
      subject: 'Lunch',
      date: 'Mon, 30 Nov 2026 09:00:00 +0000',
      snippet: 'Lunch on Friday?',
      text: 'Lunch on Friday? — A.',
      textFrom: 'plain',
    });
  });

  it("reads hostile HTML in linear time (unclosed tags, comments and styles), and an unclosed block's text is dropped", () => {
    const started = Date.now();
    for (const hostile of [
      '<'.repeat(400_000),
      '<!--'.repeat(100_000),
      '<style'.repeat(60_000),
      `${'<a '.repeat(100_000)}x`,
    ])
      textOfHtml(hostile);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(textOfHtml('<p>kept</p><!-- never closed <p>gone</p>')).toBe('kept');
    expect(textOfHtml('<header><p>Top</p></header><p>a &lt; b</p>')).toBe('Top\na < b');
  });

  it('reads the text of a message that has only an HTML body', async () => {
    expect(await run('gmail.read_message', { id: '18c0ffed' })).toMatchObject({
      subject: 'News',
      text: 'This week\nTea & cake at 3\nRoom 12',
      textFrom: 'html',
    });
  });

  it('sends an RFC 2822 message (non-ASCII subject encoded) and refuses header injection', async () => {
    expect(await run('gmail.send', { to: ['bob@example.com'], subject: 'Grüße', text: 'Hallo Bob' })).toEqual({
      id: '18c0ffef',
      threadId: '18c0ffef',
    });
    const raw = Buffer.from((google.requests.at(-1)!.body as { raw: string }).raw, 'base64url').toString('utf8');
    expect(raw).toContain('To: bob@example.com\r\n');
    expect(raw).toContain(`Subject: =?UTF-8?B?${Buffer.from('Grüße').toString('base64')}?=\r\n`);
    expect(raw.split('\r\n\r\n')[1]).toBe(Buffer.from('Hallo Bob').toString('base64'));

    // Long lines broken as mail requires: base64 at 76 characters, headers folded into short encoded-words.
    const subject = 'Einladung zur Jahresbesprechung der Geschäftsführung über die Überstunden – 2027 ✓';
    const text = `${'Zeile mit Umlauten äöü. '.repeat(200)}\nEnde`;
    const to = Array.from({ length: 40 }, (_, index) => `person.number.${index}@example.com`);
    await run('gmail.send', { to, subject, text });
    const long = Buffer.from((google.requests.at(-1)!.body as { raw: string }).raw, 'base64url').toString('utf8');
    const [head, body] = long.split('\r\n\r\n') as [string, string];
    for (const line of long.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    expect(Buffer.from(body.replace(/\r\n/g, ''), 'base64').toString('utf8')).toBe(text);
    const unfolded = head.replace(/\r\n /g, ' ');
    const subjectLine = /^Subject: (.*)$/m.exec(unfolded)![1]!;
    const words = subjectLine.split(' ');
    for (const word of words) expect(word).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
    for (const word of words) expect(word.length).toBeLessThanOrEqual(75);
    // Adjacent encoded-words join without the space between them (RFC 2047 §6.2).
    expect(words.map((word) => Buffer.from(word.slice(10, -2), 'base64').toString('utf8')).join('')).toBe(subject);
    expect(/^To: (.*)$/m.exec(unfolded)![1]!.split(', ')).toEqual(to);

    const injected = await failure(
      run('gmail.send', { to: ['bob@example.com'], subject: 'Hi\r\nBcc: eve@example.com', text: 'x' }),
    );
    expect(injected).toBeInstanceOf(ToolFailure);
  });

  it('takes addresses under internationalised top-level domains, and never one that could break a header', async () => {
    const { tool } = findProviderTool('gmail.send')!;
    expect(tool.parse({ to: ['ivan@example.xn--p1ai'], subject: 'x', text: 'x' })).toMatchObject({
      to: ['ivan@example.xn--p1ai'],
    });
    for (const bad of ['a@b.com, eve@x.com', 'Eve <eve@x.com>', 'a@b.com\r\nBcc: eve@x.com', '"a b"@x.com'])
      expect(() => tool.parse({ to: [bad], subject: 'x', text: 'x' })).toThrow(ToolFailure);
  });

  it('a token without Gmail scopes gets 403 insufficientPermissions', async () => {
    const error = (await failure(run('gmail.search', { query: '' }, CALENDAR_ONLY_TOKEN))) as ProviderApiError;
    expect([error.status, error.providerCode, error.refusal]).toEqual([
      403,
      'insufficientPermissions',
      { scopeRefused: true },
    ]);
  });
});
