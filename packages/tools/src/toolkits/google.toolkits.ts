import * as z from 'zod';
import { defineProviderTool, ToolFailure, type ProviderToolkit } from '../provider-tool.js';

// Google Calendar API v3 (https://developers.google.com/workspace/calendar/api/v3/reference) and Gmail API v1
// (https://developers.google.com/workspace/gmail/api/reference/rest), with the person's own Google token.

const CALENDAR_READ = 'https://www.googleapis.com/auth/calendar.events.readonly';
const CALENDAR_WRITE = 'https://www.googleapis.com/auth/calendar.events';
const GMAIL_READ = 'https://www.googleapis.com/auth/gmail.readonly';
const GMAIL_SEND = 'https://www.googleapis.com/auth/gmail.send';

const calendarId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\s]+$/, 'a calendar id, or "primary"')
  .default('primary')
  .describe('Calendar id; "primary" is the person\'s own calendar');
/**
 * An email address: zod's own pattern (no quotes, spaces, commas, angle brackets or line breaks, so it is safe in a
 * header as it is), with internationalised top-level domains in their ASCII form too (`example.xn--p1ai`).
 */
const address = z.email({
  pattern:
    /^(?:[A-Za-z0-9_'+-]+\.)*[A-Za-z0-9_'+-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9-]*\.)+(?:[A-Za-z]{2,}|xn--[A-Za-z0-9-]{1,59})$/,
});

const when = z.object({
  dateTime: z.iso.datetime({ offset: true }).optional().describe('RFC 3339 time, e.g. 2026-12-01T09:00:00+01:00'),
  date: z.iso
    .date()
    .optional()
    .describe("All-day events: the date (an end date is exclusive: a one-day event ends on the next day's date)"),
  timeZone: z.string().max(64).optional(),
});
const event = z.object({
  id: z.string(),
  summary: z.string().nullable(),
  start: z.string().nullable(),
  end: z.string().nullable(),
  url: z.string().nullable(),
  status: z.string().nullable(),
});

interface GoogleEvent {
  id: string;
  summary?: string;
  start?: { dateTime?: string; date?: string };
  end?: { dateTime?: string; date?: string };
  htmlLink?: string;
  status?: string;
}
const toEvent = (item: GoogleEvent) => ({
  id: item.id,
  summary: item.summary ?? null,
  start: item.start?.dateTime ?? item.start?.date ?? null,
  end: item.end?.dateTime ?? item.end?.date ?? null,
  url: item.htmlLink ?? null,
  status: item.status ?? null,
});

export const googleCalendarToolkit: ProviderToolkit = {
  name: 'google_calendar',
  title: 'Google Calendar',
  description: "List and create events in the calling person's Google calendars.",
  provider: 'google',
  apiBaseUrl: () => 'https://www.googleapis.com/calendar/v3',
  tools: [
    defineProviderTool({
      name: 'google_calendar.list_events',
      version: '1',
      title: 'List events',
      description: 'Lists events between two times (recurring events expanded), earliest first.',
      input: z
        .object({
          calendarId,
          timeMin: z.iso.datetime({ offset: true }).describe('From (RFC 3339)'),
          timeMax: z.iso.datetime({ offset: true }).optional().describe('Until (RFC 3339)'),
          maxResults: z.number().int().min(1).max(250).default(50),
          pageToken: z.string().max(500).optional(),
        })
        .strict(),
      output: z.object({ events: z.array(event), nextPageToken: z.string().nullable() }),
      annotations: { readOnlyHint: true, openWorldHint: true },
      provider: 'google',
      scopes: [CALENDAR_READ],
      handler: async (input, { api }) => {
        const { json } = await api.request('GET', `/calendars/${encodeURIComponent(input.calendarId)}/events`, {
          query: {
            timeMin: input.timeMin,
            timeMax: input.timeMax,
            maxResults: input.maxResults,
            pageToken: input.pageToken,
            singleEvents: true,
            orderBy: 'startTime',
          },
        });
        const body = json as { items?: GoogleEvent[]; nextPageToken?: string };
        return { events: (body.items ?? []).map(toEvent), nextPageToken: body.nextPageToken ?? null };
      },
    }),
    defineProviderTool({
      name: 'google_calendar.create_event',
      version: '2',
      title: 'Create an event',
      description:
        'Creates an event and emails invitations to the given attendees (sendUpdates: "all" by default). Not idempotent: each call creates another.',
      input: z
        .object({
          calendarId,
          summary: z.string().trim().min(1).max(1024),
          description: z.string().max(8192).optional(),
          start: when,
          end: when,
          attendees: z.array(address).max(100).optional(),
          sendUpdates: z
            .enum(['all', 'externalOnly', 'none'])
            .default('all')
            .describe('Who gets an invitation email: everyone, only guests outside Google Calendar, or no one'),
        })
        .strict()
        // Exactly one of the two (Google refuses an event time with both).
        .refine((input) => Boolean(input.start.dateTime) !== Boolean(input.start.date), {
          message: 'start needs either dateTime or date (not both)',
          path: ['start'],
        })
        .refine((input) => Boolean(input.end.dateTime) !== Boolean(input.end.date), {
          message: 'end needs either dateTime or date (not both)',
          path: ['end'],
        })
        .refine((input) => Boolean(input.start.date) === Boolean(input.end.date), {
          message: 'start and end are both dates (an all-day event) or both dateTimes',
          path: ['end'],
        }),
      output: z.object({ event }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      provider: 'google',
      scopes: [CALENDAR_WRITE],
      handler: async ({ calendarId: id, attendees, sendUpdates, ...fields }, { api }) => {
        // Without sendUpdates Google emails no one (its default is "false"/"none").
        const { json } = await api.request('POST', `/calendars/${encodeURIComponent(id)}/events`, {
          query: { sendUpdates },
          json: { ...fields, ...(attendees ? { attendees: attendees.map((email) => ({ email })) } : {}) },
        });
        return { event: toEvent(json as GoogleEvent) };
      },
    }),
  ],
};

interface GmailPart {
  mimeType?: string;
  headers?: { name: string; value: string }[];
  body?: { data?: string };
  parts?: GmailPart[];
}

/** The first body of `mimeType` in a message, decoded (base64url). */
function firstBody(part: GmailPart | undefined, mimeType: string): string | undefined {
  if (!part) return undefined;
  if (part.mimeType === mimeType && part.body?.data) return Buffer.from(part.body.data, 'base64url').toString('utf8');
  for (const child of part.parts ?? []) {
    const body = firstBody(child, mimeType);
    if (body !== undefined) return body;
  }
  return undefined;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** HTML read for its text at most (the text kept is far shorter): mail is anyone's input, and its size unbounded. */
const HTML_READ_LIMIT = 200_000;

/**
 * `html` without the blocks from each `open` (case-insensitive) to the next `close`; an unclosed block runs to the end.
 * One pass (regular expressions that look for the close from every open take quadratic time on hostile mail).
 */
function withoutBlocks(html: string, open: string, close: string): string {
  const lower = html.toLowerCase();
  let kept = '';
  for (let at = 0; ;) {
    const start = lower.indexOf(open, at);
    if (start < 0) return kept + html.slice(at);
    kept += html.slice(at, start);
    const end = lower.indexOf(close, start + open.length);
    if (end < 0) return kept;
    at = end + close.length;
  }
}

/** Readable text of an HTML body: no styles, scripts or tags; line breaks where blocks end; entities decoded. */
export function textOfHtml(html: string): string {
  let text = html.slice(0, HTML_READ_LIMIT);
  text = withoutBlocks(text, '<!--', '-->');
  for (const element of ['style', 'script']) text = withoutBlocks(text, `<${element}`, `</${element}>`);
  return text
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h[1-6]|blockquote)\s*>/gi, '\n')
    .replace(/<[^<>]*>/g, '')
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (entity, name: string) => {
      if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? entity;
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    })
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n\s*/g, '\n')
    .trim();
}

/** The message's text: its first text/plain body, else the text of its first text/html body. */
function messageText(
  payload: GmailPart | undefined,
  limit: number,
): { text: string; textFrom: 'plain' | 'html' | null } {
  const plain = firstBody(payload, 'text/plain');
  if (plain !== undefined) return { text: plain.slice(0, limit), textFrom: 'plain' };
  const html = firstBody(payload, 'text/html');
  if (html !== undefined) return { text: textOfHtml(html).slice(0, limit), textFrom: 'html' };
  return { text: '', textFrom: null };
}

/** Mail lines stay short (RFC 5322 §2.1.1: 78 characters recommended, 998 at most). */
const LINE = 78;

/**
 * A header field, folded (RFC 5322 §2.2.3): ASCII text that fits one line as it is; anything else as RFC 2047
 * encoded-words of at most 75 characters (whole UTF-8 characters each), one per folded line.
 */
export function headerField(name: string, value: string): string {
  if (/^[\x20-\x7e]*$/.test(value) && name.length + 2 + value.length <= LINE) return `${name}: ${value}`;
  // Whole base64 quanta: 3 bytes are 4 characters, and a word adds 12 (`=?UTF-8?B?`, `?=`). The first word shares
  // its line with the field name, later ones follow a space.
  const bytesFitting = (room: number) => Math.floor((room - 12) / 4) * 3;
  const words: string[] = [];
  let chunk = '';
  let room = bytesFitting(LINE - name.length - 2);
  for (const character of value) {
    if (Buffer.byteLength(chunk + character, 'utf8') > room) {
      words.push(chunk);
      chunk = '';
      room = bytesFitting(Math.min(75, LINE - 1));
    }
    chunk += character;
  }
  if (chunk !== '') words.push(chunk);
  return `${name}: ${words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join('\r\n ')}`;
}

/** An address list, one address per folded line. */
function addressField(name: string, addresses: readonly string[]): string {
  return `${name}: ${addresses.join(',\r\n ')}`;
}

/** Header values never carry line breaks (header injection). */
const headerText = z
  .string()
  .max(998)
  .refine((value) => !/[\r\n]/.test(value), 'no line breaks');

export const gmailToolkit: ProviderToolkit = {
  name: 'gmail',
  title: 'Gmail',
  description: "Search, read and send email from the calling person's Gmail.",
  provider: 'google',
  apiBaseUrl: () => 'https://gmail.googleapis.com/gmail/v1',
  tools: [
    defineProviderTool({
      name: 'gmail.search',
      version: '1',
      title: 'Search email',
      description: 'Finds messages with Gmail search syntax (e.g. "from:alice is:unread"); ids and snippets.',
      input: z
        .object({
          query: z.string().max(500).describe('Gmail search query'),
          maxResults: z.number().int().min(1).max(100).default(20),
          pageToken: z.string().max(500).optional(),
        })
        .strict(),
      output: z.object({
        messages: z.array(z.object({ id: z.string(), threadId: z.string() })),
        nextPageToken: z.string().nullable(),
        estimate: z.number().int(),
      }),
      annotations: { readOnlyHint: true, openWorldHint: true },
      provider: 'google',
      scopes: [GMAIL_READ],
      handler: async ({ query, maxResults, pageToken }, { api }) => {
        const { json } = await api.request('GET', '/users/me/messages', { query: { q: query, maxResults, pageToken } });
        const body = json as {
          messages?: { id: string; threadId: string }[];
          nextPageToken?: string;
          resultSizeEstimate?: number;
        };
        return {
          messages: (body.messages ?? []).map(({ id, threadId }) => ({ id, threadId })),
          nextPageToken: body.nextPageToken ?? null,
          estimate: body.resultSizeEstimate ?? 0,
        };
      },
    }),
    defineProviderTool({
      name: 'gmail.read_message',
      version: '2',
      title: 'Read an email',
      description:
        'Reads one message: sender, recipients, subject, date and its text (first 20,000 characters): the plain-text body, or the text of the HTML body when there is no plain one (textFrom says which).',
      input: z.object({ id: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'a Gmail message id') }).strict(),
      output: z.object({
        id: z.string(),
        threadId: z.string(),
        from: z.string().nullable(),
        to: z.string().nullable(),
        subject: z.string().nullable(),
        date: z.string().nullable(),
        snippet: z.string(),
        text: z.string(),
        textFrom: z.enum(['plain', 'html']).nullable().describe('Which body text came from; null: none'),
      }),
      annotations: { readOnlyHint: true, openWorldHint: true },
      provider: 'google',
      scopes: [GMAIL_READ],
      handler: async ({ id }, { api }) => {
        const { json } = await api.request('GET', `/users/me/messages/${id}`, { query: { format: 'full' } });
        const message = json as { id: string; threadId: string; snippet?: string; payload?: GmailPart };
        const header = (name: string) =>
          message.payload?.headers?.find((entry) => entry.name.toLowerCase() === name)?.value ?? null;
        return {
          id: message.id,
          threadId: message.threadId,
          from: header('from'),
          to: header('to'),
          subject: header('subject'),
          date: header('date'),
          snippet: message.snippet ?? '',
          ...messageText(message.payload, 20_000),
        };
      },
    }),
    defineProviderTool({
      name: 'gmail.send',
      version: '1',
      title: 'Send an email',
      description: 'Sends a plain-text email from the person. Not idempotent: each call sends another email.',
      input: z
        .object({
          to: z.array(address).min(1).max(50),
          cc: z.array(address).max(50).optional(),
          subject: headerText.min(1),
          text: z.string().min(1).max(100_000),
        })
        .strict(),
      output: z.object({ id: z.string(), threadId: z.string() }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      provider: 'google',
      scopes: [GMAIL_SEND],
      handler: async ({ to, cc, subject, text }, { api }) => {
        const lines = [
          addressField('To', to),
          ...(cc?.length ? [addressField('Cc', cc)] : []),
          headerField('Subject', subject),
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=UTF-8',
          'Content-Transfer-Encoding: base64',
          '',
          // Base64 lines of at most 76 characters (RFC 2045 §6.8).
          ...(Buffer.from(text, 'utf8')
            .toString('base64')
            .match(/.{1,76}/g) ?? []),
        ];
        const raw = Buffer.from(lines.join('\r\n'), 'utf8').toString('base64url');
        if (raw.length > 5_000_000) throw new ToolFailure('too_large', 'The message is too large to send.');
        const { json } = await api.request('POST', '/users/me/messages/send', { json: { raw } });
        const sent = json as { id: string; threadId: string };
        return { id: sent.id, threadId: sent.threadId };
      },
    }),
  ],
};
