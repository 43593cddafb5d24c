import { z } from 'zod';

/** The one queue every process may enqueue to; only the worker consumes it. */
export const SYSTEM_QUEUE = 'gatehouse-system';

/** A job's contract: its name and payload schema. Handlers live in the worker. */
export interface JobContract<Name extends string, Schema extends z.ZodType> {
  readonly name: Name;
  readonly queue: string;
  readonly schema: Schema;
}

function job<Name extends string, Schema extends z.ZodType>(
  queue: string,
  name: Name,
  schema: Schema,
): JobContract<Name, Schema> {
  return { name, queue, schema };
}

/** Proves the api → queue → worker path works; the worker records when it last ran one. */
export const heartbeatJob = job(
  SYSTEM_QUEUE,
  'system.heartbeat',
  z.object({ sentAt: z.iso.datetime(), from: z.string().min(1).max(64) }).strict(),
);
export type HeartbeatPayload = z.infer<typeof heartbeatJob.schema>;

/** Redis key where the worker stores the time of its last processed heartbeat. */
export function workerHeartbeatKey(prefix: string): string {
  return `${prefix}:worker:last-heartbeat`;
}

/**
 * Deletes authorization-server state (codes, tokens, sessions, grants, registrations) that expired more than an
 * hour ago — expired rows already read as absent, this only reclaims space — and registered clients that have held
 * no grant for 30 days. Scheduled hourly by the worker.
 */
export const oauthSweepJob = job(SYSTEM_QUEUE, 'maintenance.oauth_sweep', z.object({}).strict());

/** Tool calls: the api enqueues, the worker runs them as the calling person. */
export const TOOLS_QUEUE = 'gatehouse-tools';

/**
 * How long the tools queue keeps a call (its arguments and answer are personal data): completed calls an hour and at
 * most the newest 10,000, failed ones a week (for inspection and replay). BullMQ applies these when another call
 * finishes; `toolsRetentionJob` applies them when none does.
 */
export const TOOL_CALL_RETENTION = {
  completed: { age: 3_600, count: 10_000 },
  failed: { age: 7 * 86_400 },
} as const;

/**
 * Options for every BullMQ `Queue` of the tools queue (api, worker, admin CLI): BullMQ stores them for the queue, and
 * the last one made wins. Its event stream repeats each answer (a `completed` event carries the return value) and
 * nothing in Gatehouse reads it, so it keeps about the last 1,000 events instead of BullMQ's 10,000.
 */
export const TOOLS_QUEUE_OPTIONS = { streams: { events: { maxLen: 1_000 } } } as const;

/**
 * Keeps the tools queue to `TOOL_CALL_RETENTION` when calls stop finishing: drops failed calls older than a week and
 * the queue's events older than an hour; the job's own completion drops completed calls older than an hour. Scheduled
 * every few minutes by the worker, on the tools queue.
 */
export const toolsRetentionJob = job(TOOLS_QUEUE, 'maintenance.tools_retention', z.object({}).strict());

/** One `tools/call` of a provider tool. The job id is the call's idempotency key (see the api's ToolExecutor). */
export const toolCallJob = job(
  TOOLS_QUEUE,
  'tool.call',
  z
    .object({
      tenantId: z.uuid(),
      tenantSlug: z.string().min(1).max(63),
      userId: z.uuid(),
      // An OAuth client id: a Client ID Metadata Document's URL may be up to 2048 characters (as stored).
      clientId: z.string().min(1).max(2048),
      serverId: z.uuid(),
      tool: z.string().min(1).max(128),
      version: z.string().min(1).max(32),
      /** Already validated by the api against the tool's input schema; validated again by the worker. */
      arguments: z.record(z.string(), z.unknown()),
      /** The arguments' keyed digest, made by the api: what the worker records when no api heard the answer. */
      argumentsDigest: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .optional(),
      requestId: z.string().max(128).optional(),
      /** The Redis channel of the api instance whose request waits: the worker publishes progress and answer there. */
      replyTo: z
        .string()
        .regex(/^[A-Za-z0-9:._-]{1,200}$/)
        .optional(),
      /**
       * Latest time (epoch ms) the worker may start the tool: one started by then ends (its own deadline) before the
       * api stops waiting. A call whose api gave up — and told its client so — never runs afterwards.
       */
      startBy: z.number().int().positive().optional(),
      /**
       * This add's own id: a cancellation marks the call with it (`toolCancelledKey`), so a later add of the same
       * request (re-sent after its first job was removed) is not taken for the cancelled one.
       */
      callId: z
        .string()
        .regex(/^[A-Za-z0-9-]{1,64}$/)
        .optional(),
      /**
       * Set by `gatehouse-admin tools replay` (epoch ms): no api waits for the replayed run, so the worker records its
       * `tool.call` itself, latency counted from here.
       */
      replayedAt: z.number().int().positive().optional(),
      /** W3C trace context of the api's span, so the worker's spans join the caller's trace. */
      traceContext: z
        .object({ traceparent: z.string().max(128).optional(), tracestate: z.string().max(512).optional() })
        .strict()
        .optional(),
    })
    .strict(),
);
export type ToolCallPayload = z.infer<typeof toolCallJob.schema>;

/** What the worker answers. Never a token or a provider's raw error body. */
export const toolCallResult = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('ok'),
    output: z.record(z.string(), z.unknown()),
    providerStatus: z.number().int().optional(),
  }),
  z.object({
    /** The person must (re)connect the provider or grant more scopes first. */
    kind: z.literal('needs_connection'),
    reason: z.enum(['not_connected', 'missing_scopes', 'needs_reauth']),
    message: z.string(),
    connectUrl: z.string(),
    missingScopes: z.array(z.string()),
  }),
  z.object({
    kind: z.literal('error'),
    /** invalid_arguments, not_a_member, provider_forbidden, provider_rate_limited, provider_error, timeout, … */
    code: z.string(),
    message: z.string(),
    retryAfterSeconds: z.number().int().optional(),
    providerStatus: z.number().int().optional(),
  }),
]);
export type ToolCallResult = z.infer<typeof toolCallResult>;

/** Progress reported by a running tool (relayed to the client as notifications/progress). */
export const toolCallProgress = z.object({
  progress: z.number(),
  total: z.number().optional(),
  message: z.string().max(1_000).optional(),
});

/**
 * What a worker publishes on a call's `replyTo` channel: progress while it runs, then the answer (`result`) or the
 * job's final failure (`failed`: the handler threw on its last attempt). A lost message is not fatal: the waiting
 * api also polls the job's state.
 */
export const toolCallReply = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('progress'), jobId: z.string(), progress: toolCallProgress }),
  z.object({ kind: z.literal('result'), jobId: z.string(), result: toolCallResult }),
  z.object({ kind: z.literal('failed'), jobId: z.string(), reason: z.string() }),
]);
export type ToolCallReply = z.infer<typeof toolCallReply>;

/** The Redis channel on which api instances announce cancelled tool calls (by job id) to the workers. */
export function toolCancelChannel(prefix: string): string {
  return `${prefix}:tool-cancel`;
}

/**
 * Set (with a TTL, to the cancelled add's `callId`) before a cancellation is announced: a worker that takes the job only after the announcement
 * (a cancel within milliseconds of the call) still finds it before a side-effecting tool runs.
 */
export function toolCancelledKey(prefix: string, jobId: string): string {
  return `${prefix}:tool-cancelled:${jobId}`;
}
