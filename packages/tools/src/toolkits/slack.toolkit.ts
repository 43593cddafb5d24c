import * as z from 'zod';
import { defineProviderTool, ProviderApiError, type ProviderApi, type ProviderToolkit } from '../provider-tool.js';

// Against Slack's Web API (https://docs.slack.dev/reference/methods) with the person's user token (xoxp-…). Slack
// answers most errors as HTTP 200 with `{ ok: false, error }`: those are turned into the statuses they mean, so
// the runtime treats them like any provider's (reconnect, missing scope, rate limit).

/** Slack error codes and the HTTP status whose handling they need. */
const SLACK_ERRORS: Record<string, number> = {
  not_authed: 401,
  invalid_auth: 401,
  account_inactive: 401,
  token_revoked: 401,
  token_expired: 401,
  missing_scope: 403,
  not_allowed_token_type: 403,
  no_permission: 403,
  not_in_channel: 403,
  is_archived: 403,
  restricted_action: 403,
  channel_not_found: 404,
  ratelimited: 429,
  rate_limited: 429,
  invalid_arguments: 400,
  msg_too_long: 400,
  no_text: 400,
  // Slack's own trouble: like a 5xx (a read-only call may be retried; Slack warns a write may have taken effect).
  internal_error: 503,
  fatal_error: 503,
  service_unavailable: 503,
};

async function slack(
  api: ProviderApi,
  method: 'GET' | 'POST',
  name: string,
  options: Parameters<ProviderApi['request']>[2],
) {
  const { json } = await api.request(method, `/${name}`, options);
  const body = json as { ok?: boolean; error?: unknown };
  if (body?.ok === true) return json as Record<string, unknown>;
  const code = typeof body?.error === 'string' && /^[a-z_]{1,64}$/.test(body.error) ? body.error : 'unknown_error';
  throw new ProviderApiError(SLACK_ERRORS[code] ?? 400, code, undefined, {
    ...(code === 'missing_scope' ? { scopeRefused: true } : {}),
  });
}

const channelId = z
  .string()
  .regex(/^[CGD][A-Z0-9]{2,20}$/, 'a Slack channel id such as C0123456789 (slack.list_channels lists them)');

export const slackToolkit: ProviderToolkit = {
  name: 'slack',
  title: 'Slack',
  description: "List channels and post messages in the calling person's Slack workspace, as that person.",
  provider: 'slack',
  apiBaseUrl: () => 'https://slack.com/api',
  headers: { 'user-agent': 'Gatehouse' },
  tools: [
    defineProviderTool({
      name: 'slack.list_channels',
      version: '1',
      title: 'List channels',
      description: 'Lists public channels of the workspace (not archived), with whether the person is a member.',
      input: z
        .object({
          // Slack: "an integer under 1000" (and 200 or fewer recommended).
          limit: z.number().int().min(1).max(999).default(200).describe('Channels per page'),
          cursor: z.string().max(500).optional().describe('next_cursor from a previous page'),
        })
        .strict(),
      output: z.object({
        channels: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            isMember: z.boolean(),
            members: z.number().int().nullable(),
            topic: z.string(),
          }),
        ),
        nextCursor: z.string().nullable(),
      }),
      annotations: { readOnlyHint: true, openWorldHint: true },
      provider: 'slack',
      scopes: ['channels:read'],
      handler: async ({ limit, cursor }, { api }) => {
        const body = await slack(api, 'GET', 'conversations.list', {
          query: { types: 'public_channel', exclude_archived: true, limit, cursor },
        });
        const channels = body.channels as {
          id: string;
          name: string;
          is_member?: boolean;
          num_members?: number;
          topic?: { value?: string };
        }[];
        const next = (body.response_metadata as { next_cursor?: string } | undefined)?.next_cursor;
        return {
          channels: channels.map((channel) => ({
            id: channel.id,
            name: channel.name,
            isMember: channel.is_member ?? false,
            members: channel.num_members ?? null,
            topic: channel.topic?.value ?? '',
          })),
          nextCursor: next ? next : null,
        };
      },
    }),
    defineProviderTool({
      name: 'slack.post_message',
      version: '1',
      title: 'Post a message',
      description: 'Posts a message to a channel as the person (optionally in a thread). Not idempotent.',
      input: z
        .object({
          channel: channelId,
          text: z.string().min(1).max(40_000).describe('Message text (Slack mrkdwn)'),
          threadTs: z
            .string()
            .regex(/^\d{10}\.\d{6}$/)
            .optional()
            .describe('ts of the parent message, to reply in its thread'),
        })
        .strict(),
      output: z.object({ channel: z.string(), ts: z.string() }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      provider: 'slack',
      scopes: ['chat:write'],
      handler: async ({ channel, text, threadTs }, { api }) => {
        const body = await slack(api, 'POST', 'chat.postMessage', {
          json: { channel, text, ...(threadTs ? { thread_ts: threadTs } : {}) },
        });
        return { channel: String(body.channel), ts: String(body.ts) };
      },
    }),
  ],
};
