import { startFakeServer, type FakeServer } from './fake-server.js';

/**
 * A local stand-in for Slack's Web API: `conversations.list` (cursor pagination) and `chat.postMessage`, answering
 * as Slack documents — HTTP 200 with `{ok: false, error}` for errors (`invalid_auth`, `channel_not_found`,
 * `not_in_channel`, `missing_scope`) and HTTP 429 with `Retry-After` when rate limited.
 */
export interface FakeSlack extends FakeServer {
  /** After `posts` more messages, chat.postMessage answers 429 with `Retry-After: 30`. */
  rateLimitAfter(posts: number): void;
}

export const SLACK_TOKEN = 'xoxp-fake-user-token';
export const READ_ONLY_TOKEN = 'xoxp-fake-read-only';

const channels = [
  { id: 'C01GENERAL', name: 'general', is_member: true, num_members: 12, topic: { value: 'Company news' } },
  { id: 'C02RANDOM1', name: 'random', is_member: false, num_members: 8, topic: { value: '' } },
];

export async function startFakeSlack(): Promise<FakeSlack> {
  let postsBeforeRateLimit = Number.POSITIVE_INFINITY;
  const server = await startFakeServer(({ method, url, headers, body, token }, reply) => {
    const send = (value: unknown, status = 200, headers: Record<string, string> = {}) => reply(status, value, headers);
    if (token !== SLACK_TOKEN && token !== READ_ONLY_TOKEN) return send({ ok: false, error: 'invalid_auth' });

    if (url.pathname === '/api/conversations.list') {
      const cursor = url.searchParams.get('cursor');
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const start = cursor ? Number(Buffer.from(cursor, 'base64').toString()) : 0;
      const page = channels.slice(start, start + limit);
      const next = start + limit < channels.length ? Buffer.from(String(start + limit)).toString('base64') : '';
      return send({ ok: true, channels: page, response_metadata: { next_cursor: next } });
    }
    if (url.pathname === '/api/chat.postMessage' && method === 'POST') {
      if (token === READ_ONLY_TOKEN)
        return send({ ok: false, error: 'missing_scope', needed: 'chat:write', provided: 'channels:read' });
      if (postsBeforeRateLimit-- <= 0) return send({ ok: false, error: 'ratelimited' }, 429, { 'retry-after': '30' });
      const { channel } = body as { channel: string };
      if (channel === 'C0FAILING') return send({ ok: false, error: 'internal_error' });
      const found = channels.find((candidate) => candidate.id === channel);
      if (!found) return send({ ok: false, error: 'channel_not_found' });
      if (!found.is_member) return send({ ok: false, error: 'not_in_channel' });
      // Slack warns about JSON posted without a charset.
      const charset = /;\s*charset=utf-8/i.test(headers['content-type'] ?? '');
      return send({
        ok: true,
        channel,
        ts: '1764460800.000100',
        message: { text: (body as { text: string }).text },
        ...(charset ? {} : { warning: 'missing_charset', response_metadata: { warnings: ['missing_charset'] } }),
      });
    }
    return send({ ok: false, error: 'unknown_method' }, 404);
  });
  return { ...server, rateLimitAfter: (posts) => (postsBeforeRateLimit = posts) };
}
