import { toolCallEvent, type AuditEventInput } from '@gatehouse/audit';
import type { ToolCallPayload, ToolCallReply, ToolCallResult } from '@gatehouse/contracts';
import { findProviderTool } from '@gatehouse/tools';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

type Progress = Extract<ToolCallReply, { kind: 'progress' }>['progress'];
/** The last word on a call: its answer, or the job's failure for good. */
export type FinalReply = Extract<ToolCallReply, { kind: 'result' | 'failed' }>;

/** How long an api instance has to subscribe again (a Redis restart) before its silence means it is gone. */
const UNHEARD_RECHECK_MS = 5_000;

function replyChannelOf(job: Job | undefined): string | undefined {
  const replyTo = (job?.data as { replyTo?: unknown } | undefined)?.replyTo;
  return typeof replyTo === 'string' ? replyTo : undefined;
}

/** When an operator replayed the job (`tools replay`): no api waits for it, so the worker records how it ended. */
function replayedAtOf(job: Job | undefined): number | undefined {
  const replayedAt = (job?.data as { replayedAt?: unknown } | undefined)?.replayedAt;
  return typeof replayedAt === 'number' ? replayedAt : undefined;
}

/** A call's last word that the worker records itself, and why: its api was gone, or an operator replayed it. */
export interface UnheardCall {
  answeredAt: number;
  /** When the call was queued, or replayed: its latency counts from there. */
  since: number;
  replayed: boolean;
}

/**
 * Answers tool calls on the channel of the api instance that waits for each (its payload's `replyTo`; see the api's
 * ToolReplyInbox): progress while a call runs, its result as the handler returns it, and the job's failure once it
 * has failed for good (not between retries). Publishing is best effort: the api also polls the job's state.
 *
 * `publisher` is the worker's own BullMQ connection: the result's PUBLISH goes out before the command that records
 * the job completed, which BullMQ issues right after it, on the same connection (Redis keeps their order). Should
 * that command fail (the job's lock was lost), the caller has its answer and the job ends as failed: never run again.
 *
 * A last word that no api instance hears (PUBLISH reached no subscriber, nor is one there 5 s later — or when the
 * worker stops: the instance that queued the call crashed or stopped meanwhile) goes to `onUnheard`: the call ran,
 * and nobody else records it.
 */
export interface ToolReplyOptions {
  onError: (error: unknown) => void;
  /**
   * A call's last word that no api instance heard (or, for a replay, that none waits for): record it. Once per job
   * and run (a claim in Redis under `prefix`: a result and a later failure of the same job are one call).
   */
  onUnheard?: (job: Job, reply: FinalReply, call: UnheardCall) => Promise<void>;
  prefix: string;
}

export function answerToolCalls(worker: Worker, publisher: Redis, options: ToolReplyOptions) {
  const { onError, onUnheard } = options;
  /** Rechecks waiting out their delay (and when it ends): settled when the worker stops. */
  const rechecks = new Map<NodeJS.Timeout, { check: () => Promise<void>; dueAt: number }>();
  // The job's id and when it was queued (or replayed): a later call may reuse the id (once its replay window has
  // passed), and a replay is a run of its own.
  const record = async (job: Job, reply: FinalReply, call: UnheardCall) => {
    if (!onUnheard) return;
    const claim = `${options.prefix}:tool-call:unheard:${job.id!}:${call.replayed ? `replay:${call.since}` : job.timestamp}`;
    const claimed = await publisher.set(claim, '1', 'EX', 86_400, 'NX');
    if (claimed === 'OK') await onUnheard(job, reply, call);
  };
  const recheck = (job: Job, channel: string, reply: FinalReply, answeredAt: number) => async () => {
    const [, listeners] = await publisher.pubsub('NUMSUB', channel);
    if (Number(listeners) > 0) return;
    await record(job, reply, { answeredAt, since: job.timestamp, replayed: false });
  };
  const publish = (job: Job | undefined, reply: ToolCallReply) => {
    const channel = replyChannelOf(job);
    if (!channel) {
      const replayedAt = replayedAtOf(job);
      if (replayedAt !== undefined && reply.kind !== 'progress')
        record(job!, reply, { answeredAt: Date.now(), since: replayedAt, replayed: true }).catch(onError);
      return;
    }
    const answeredAt = Date.now();
    publisher.publish(channel, JSON.stringify(reply)).then((listeners) => {
      if (listeners > 0 || reply.kind === 'progress') return;
      // No one listening right now: the api instance is gone — or only subscribing again after a Redis blip (it then
      // finds the answer in the job's state, and records the call itself). Asked once more, a little later.
      const check = recheck(job!, channel, reply, answeredAt);
      const timer = setTimeout(() => {
        rechecks.delete(timer);
        check().catch(onError);
      }, UNHEARD_RECHECK_MS);
      timer.unref();
      rechecks.set(timer, { check, dueAt: Date.now() + UNHEARD_RECHECK_MS });
    }, onError);
  };
  worker.on('failed', (job, error) => {
    // finishedOn is set only when the job has failed for good.
    if (job?.finishedOn) publish(job, { kind: 'failed', jobId: job.id!, reason: error.message.slice(0, 500) });
  });
  return {
    progress(job: Job, progress: Progress): void {
      publish(job, { kind: 'progress', jobId: job.id!, progress });
    },
    /** The handler's answer (a ToolCallResult; the api validates it). */
    result(job: Job, result: ToolCallResult): void {
      publish(job, { kind: 'result', jobId: job.id!, result });
    },
    /** Runs the rechecks still waiting, each when due (the worker is stopping; its connections close next). */
    async settle(): Promise<void> {
      const waiting = [...rechecks];
      rechecks.clear();
      await Promise.all(
        waiting.map(async ([timer, { check, dueAt }]) => {
          clearTimeout(timer);
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, dueAt - Date.now())));
          await check().catch(onError);
        }),
      );
    },
  };
}

/** The W3C trace id in a `traceparent` (version-traceid-parentid-flags). */
function traceIdOf(traceparent: string | undefined): string | undefined {
  const id = traceparent?.split('-')[1];
  return id && /^[0-9a-f]{32}$/.test(id) ? id : undefined;
}

/**
 * The `tool.call` record of a call whose api instance was gone when it finished (the record the api writes for
 * every call it answers), marked as the worker's.
 */
export function unheardCallEvent(payload: ToolCallPayload, reply: FinalReply, call: UnheardCall): AuditEventInput {
  const result = reply.kind === 'result' ? reply.result : undefined;
  return toolCallEvent({
    tenantId: payload.tenantId,
    userId: payload.userId,
    clientId: payload.clientId,
    serverId: payload.serverId,
    tool: payload.tool,
    version: payload.version,
    provider: findProviderTool(payload.tool)?.tool.provider ?? 'unknown',
    argumentsDigest: payload.argumentsDigest,
    result:
      result === undefined
        ? 'interrupted'
        : result.kind === 'ok'
          ? 'succeeded'
          : result.kind === 'needs_connection'
            ? 'needs_connection'
            : 'failed',
    latencyMs: Math.max(0, call.answeredAt - call.since),
    requestId: payload.requestId,
    traceId: traceIdOf(payload.traceContext?.traceparent),
    extra: {
      recordedBy: 'worker',
      ...(call.replayed ? { replayed: true } : { callerGone: true }),
      ...(result?.kind === 'error' ? { code: result.code } : {}),
      ...(reply.kind === 'failed' ? { code: reply.reason.slice(0, 200) } : {}),
      ...(result && 'providerStatus' in result && result.providerStatus !== undefined
        ? { providerStatus: result.providerStatus }
        : {}),
    },
  });
}
