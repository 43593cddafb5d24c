import { TOOL_CALL_RETENTION, toolsRetentionJob } from '@gatehouse/contracts';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { defineJob } from './job-definition.js';

/** How often every worker's scheduler (one schedule per deployment: BullMQ dedupes by id) runs the retention job. */
export const TOOLS_RETENTION_EVERY_MS = 5 * 60_000;

/** Failed calls removed per BullMQ `clean` (one script run); it repeats while a batch comes back full. */
const CLEAN_BATCH = 1_000;

export interface ToolsRetention {
  /** Completed calls and queue events older than this go (ms). */
  completedAgeMs: number;
  /** Failed calls older than this go (ms). */
  failedAgeMs: number;
}

/** The job's own options (the scheduler's template), which do half its work. */
export const TOOLS_RETENTION_JOB_OPTIONS = {
  // Its completion drops completed calls past their age — every one: BullMQ drops at most 1,000 per completion
  // unless told a limit, which would leave the oldest of a burst of calls for several more runs. At most 10,000 are
  // kept, and dropping all of them took Redis 93 ms (one script) on a 2-core test machine: once, after a burst.
  removeOnComplete: { ...TOOL_CALL_RETENTION.completed, limit: TOOL_CALL_RETENTION.completed.count },
  // Never a count here: on a failing job it would apply to the whole failed set, tool calls kept for replay included.
  removeOnFail: TOOL_CALL_RETENTION.failed,
};

export const TOOLS_RETENTION: ToolsRetention = {
  completedAgeMs: TOOL_CALL_RETENTION.completed.age * 1_000,
  failedAgeMs: TOOL_CALL_RETENTION.failed.age * 1_000,
};

/**
 * BullMQ drops finished jobs past their age only when another job finishes, and its event stream has no age at all:
 * on a quiet deployment a call's arguments and answer would stay in Redis long after the hour and the week promised
 * (docs/backup.md). This job drops them on a schedule.
 *
 * Completed calls are dropped by this job's own completion (the scheduler gives it the tool calls'
 * `removeOnComplete`): BullMQ's age removal on completion keeps the calls' deduplication keys, so a re-sent request
 * is still never run again within the replay window, however long the operator set it. Failed calls are a week old
 * when `clean` drops them, long past any deduplication key (at most a day).
 */
export function createToolsRetentionJob(queue: Queue, redis: Redis, retention: ToolsRetention = TOOLS_RETENTION) {
  return defineJob(toolsRetentionJob, async () => {
    // Events carry answers (`completed`) and failure reasons: none older than a completed call may be kept.
    const events = await redis.xtrim(queue.toKey('events'), 'MINID', String(Date.now() - retention.completedAgeMs));
    let failed = 0;
    for (;;) {
      const removed = await queue.clean(retention.failedAgeMs, CLEAN_BATCH, 'failed');
      failed += removed.length;
      if (removed.length < CLEAN_BATCH) break;
    }
    return { events, failed };
  });
}
