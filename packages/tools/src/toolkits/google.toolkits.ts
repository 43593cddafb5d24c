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
const when = z.object({
  dateTime: z.iso.datetime({ offset: true }).optional().describe('RFC 3339 time, e.g. 2026-12-01T09:00:00+01:00'),
  date: z.iso.date().optional().describe('All-day events: the date'),
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
      version: '1',
      title: 'Create an event',
      description: 'Creates an event, inviting the given attendees. Not idempotent: each call creates another.',
      input: z
        .object({
          calendarId,
          summary: z.string().trim().min(1).max(1024),
          description: z.string().max(8192).optional(),
          start: when,
          end: when,
          attendees: z.array(z.email()).max(100).optional(),
        })
        .strict()
        .refine((input) => Boolean(input.start.dateTime ?? input.start.date), 'start needs dateTime or date')
        .refine((input) => Boolean(input.end.dateTime ?? input.end.date), 'end needs dateTime or date'),
      output: z.object({ event }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      provider: 'google',
      scopes: [CALENDAR_WRITE],
      handler: async ({ calendarId: id, attendees, ...fields }, { api }) => {
        const { json } = await api.request('POST', `/calendars/${encodeURIComponent(id)}/events`, {
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

/** The first text/plain body of a message, decoded (base64url) and cut to `limit` characters. */
function plainText(part: GmailPart | undefined, limit: number): string {
  if (!part) return '';
  if (part.mimeType === 'text/plain' && part.body?.data)
    return Buffer.from(part.body.data, 'base64url').toString('utf8').slice(0, limit);
  for (const child of part.parts ?? []) {
    const text = plainText(child, limit);
    if (text) return text;
  }
  return '';
}

/** RFC 2047 encoded-word for non-ASCII header text. */
function encodeHeader(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
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
      version: '1',
      title: 'Read an email',
      description:
        'Reads one message: sender, recipients, subject, date and its plain-text body (first 20,000 characters).',
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
          text: plainText(message.payload, 20_000),
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
          to: z.array(z.email()).min(1).max(50),
          cc: z.array(z.email()).max(50).optional(),
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
          `To: ${to.join(', ')}`,
          ...(cc?.length ? [`Cc: ${cc.join(', ')}`] : []),
          `Subject: ${encodeHeader(subject)}`,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=UTF-8',
          'Content-Transfer-Encoding: base64',
          '',
          Buffer.from(text, 'utf8').toString('base64'),
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
