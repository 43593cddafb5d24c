import type { AddressInfo } from 'node:net';
import type { WorkerConfig } from '@gatehouse/config';
import { AuditLog } from '@gatehouse/audit';
import { ConnectionService, OutboundHttp } from '@gatehouse/connections';
import { coalesceWrites } from '@gatehouse/coordination';
import {
  oauthSweepJob,
  SYSTEM_QUEUE,
  toolCancelChannel,
  TOOLS_QUEUE,
  TOOLS_QUEUE_OPTIONS,
  toolCallJob,
  toolsRetentionJob,
  type ToolCallResult,
} from '@gatehouse/contracts';
import {
  AccessCache,
  AuditRepository,
  AuthChangeListener,
  createDatabase,
  DataKeyRepository,
  KeyCheckRepository,
  pingDatabase,
  SecretRepository,
} from '@gatehouse/db';
import { LocalKeyring, Vault, verifyKeyringOrExit } from '@gatehouse/vault';
import { checkReadiness, GatehouseMetrics, pingRedis, type Logger } from '@gatehouse/telemetry';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createHealthServer } from './health-server.js';
import { queueTelemetry } from './queue-telemetry.js';
import { createDispatcher } from './jobs/dispatcher.js';
import { createHeartbeatJob } from './jobs/heartbeat.job.js';
import { createOAuthSweepJob, OAUTH_SWEEP_EVERY_MS } from './jobs/oauth-sweep.job.js';
import {
  createToolsRetentionJob,
  TOOLS_RETENTION_EVERY_MS,
  TOOLS_RETENTION_JOB_OPTIONS,
} from './jobs/tools-retention.job.js';
import { shareByTenant, toolCallTenant } from './tools/tenant-share.js';
import { createToolCallJob } from './tools/tool-call.job.js';
import { answerToolCalls, unheardCallEvent } from './tools/tool-replies.js';
import { ToolCancellations } from './tools/tool-cancellations.js';
import { SERVICE_VERSION } from './version.js';

export interface WorkerRuntime {
  /** Port the health server listens on (useful when configured as 0). */
  readonly healthPort: number;
  stop(): Promise<void>;
}

/** Connects, starts consuming and serves health endpoints. `stop()` drains active jobs and closes everything. */
export async function startWorker(config: WorkerConfig, logger: Logger): Promise<WorkerRuntime> {
  const db = createDatabase({
    url: config.DATABASE_URL,
    maxConnections: config.DATABASE_POOL_SIZE,
    applicationName: 'gatehouse-worker',
  });
  // Before anything runs: every configured key must be the deployment's own (a wrong one would fail every unwrap).
  // PostgreSQL not reachable yet (a worker started before it): waited for, as every other dependency is.
  const keyring = LocalKeyring.parse(config.VAULT_KEYS, config.VAULT_ACTIVE_KEY);
  for (let attempt = 1; ; attempt++) {
    try {
      await verifyKeyringOrExit('worker', keyring, new KeyCheckRepository(db));
      break;
    } catch (error) {
      const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
      logger.warn({ attempt, err: { message } }, 'vault keys not checked yet (PostgreSQL unreachable?); retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(attempt, 5) * 1_000));
    }
  }
  // One connection per BullMQ object; BullMQ never closes connections it is given, so we quit them in stop().
  const workerConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  // Not auto-pipelined: BullMQ defines its ~50 scripts on this connection, and ioredis copies every one of them onto
  // each auto-pipeline it builds (one per event-loop turn) — that cost more CPU than the socket writes it saved
  // (worker CPU per call −11 % without, docs/benchmarks.md).
  // Its commands of one event-loop turn (jobs taken, answers published, jobs finished) leave in one socket write.
  const toolsConnection = coalesceWrites(new Redis(config.REDIS_URL, { maxRetriesPerRequest: null }));
  const locksConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const cancelConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const jobsConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const schedulerConnection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
  const probe = new Redis(config.REDIS_URL, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
  });
  for (const [name, connection] of [
    ['worker', workerConnection],
    ['tools', toolsConnection],
    ['locks', locksConnection],
    ['cancel', cancelConnection],
    ['jobs', jobsConnection],
    ['scheduler', schedulerConnection],
    ['probe', probe],
  ] as const) {
    connection.on('error', (error: Error) =>
      logger.warn({ connection: name, err: { message: error.message } }, 'redis connection error'),
    );
  }

  const dispatch = createDispatcher([createHeartbeatJob(jobsConnection, config.QUEUE_PREFIX), createOAuthSweepJob(db)]);
  // Maintenance schedules: upserted by every worker at boot, one schedule per id for the whole deployment.
  const telemetry = queueTelemetry(config);
  const scheduler = new Queue(SYSTEM_QUEUE, {
    connection: schedulerConnection,
    prefix: config.QUEUE_PREFIX,
    ...telemetry,
  });
  await scheduler.upsertJobScheduler(
    'oauth-sweep',
    { every: OAUTH_SWEEP_EVERY_MS },
    { name: oauthSweepJob.name, data: {}, opts: { removeOnComplete: 100, removeOnFail: 100 } },
  );
  const worker = new Worker(SYSTEM_QUEUE, dispatch, {
    connection: workerConnection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    ...telemetry,
  });
  worker.on('failed', (job, error) =>
    logger.warn({ jobId: job?.id, job: job?.name, err: { message: error.message } }, 'job failed'),
  );
  worker.on('error', (error) => logger.warn({ err: { message: error.message } }, 'worker error'));

  // Tool calls: the person's token from the connections service, the provider reached through the SSRF guard.
  const vault = new Vault(keyring, new DataKeyRepository(db), new SecretRepository(db));
  const http = new OutboundHttp({ allowLoopback: config.NODE_ENV !== 'production' });
  const toolsQueue = new Queue(TOOLS_QUEUE, {
    connection: schedulerConnection,
    prefix: config.QUEUE_PREFIX,
    ...TOOLS_QUEUE_OPTIONS,
    ...telemetry,
  });
  await toolsQueue.upsertJobScheduler(
    'tools-retention',
    { every: TOOLS_RETENTION_EVERY_MS },
    { name: toolsRetentionJob.name, data: {}, opts: TOOLS_RETENTION_JOB_OPTIONS },
  );
  const metrics = new GatehouseMetrics('worker', async () => ({
    [TOOLS_QUEUE]: await toolsQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed'),
    [SYSTEM_QUEUE]: await scheduler.getJobCounts('waiting', 'active', 'delayed', 'failed'),
  }));
  // What a tool call reads (membership, what its MCP server exposes, the connection and its sealed tokens) is
  // remembered until PostgreSQL announces a change that could refuse the call or change its token; while the
  // listener is down, every call reads it again.
  const accessChanges = new AuthChangeListener({
    url: config.DATABASE_URL,
    applicationName: 'gatehouse-worker-auth',
    onError: (error) => logger.warn({ err: error }, 'auth change listener lost its connection; retrying'),
  });
  await accessChanges.start();
  const audit = new AuditLog(new AuditRepository(db));
  const connections = new ConnectionService(db, vault, audit, locksConnection, http, {
    prefix: config.QUEUE_PREFIX,
    publicApiUrl: config.PUBLIC_API_URL,
    onRefresh: (provider, outcome) => metrics.tokenRefreshes.inc({ provider, outcome }),
    accessCache: new AccessCache(accessChanges),
  });
  const cancellations = new ToolCancellations(
    cancelConnection,
    toolCancelChannel(config.QUEUE_PREFIX),
    locksConnection,
    config.QUEUE_PREFIX,
  );
  await cancellations.start();
  const toolJobs = createDispatcher(
    [
      createToolCallJob({ connections, http, logger, cancellations }),
      createToolsRetentionJob(toolsQueue, schedulerConnection),
    ],
    {
      onProgress: (job, value) => replies.progress(job, value),
      onResult: (job, result) => replies.result(job, result as ToolCallResult),
    },
  );
  // By default one slot in eight is kept from any one tenant (none below 8 slots): enough for the others' calls to get
  // through while one tenant's hang, little for a deployment with one tenant to give up, and only while it has that
  // many calls running.
  const perTenant =
    config.WORKER_CONCURRENCY_PER_TENANT ?? config.WORKER_CONCURRENCY - Math.floor(config.WORKER_CONCURRENCY / 8);
  const sharedToolJobs = shareByTenant(toolJobs, {
    perTenant,
    tenantOf: toolCallTenant,
    onDeferred: (job, tenantId, delayMs) => {
      metrics.toolCallsDeferred.inc();
      logger.debug({ jobId: job.id, tenantId, delayMs }, 'tool call put back: its tenant has its share of this worker');
    },
  });
  const toolWorker = new Worker(TOOLS_QUEUE, sharedToolJobs, {
    connection: toolsConnection,
    prefix: config.QUEUE_PREFIX,
    concurrency: config.WORKER_CONCURRENCY,
    // A job whose worker died mid-call is failed, never run again behind the caller's back: the tool may have had
    // its side effect already. (Retries of read-only and idempotent tools are explicit, through attempts.)
    maxStalledCount: 0,
    lockDuration: config.TOOL_CALL_LOCK_MS,
    stalledInterval: config.TOOL_CALL_LOCK_MS,
    ...telemetry,
  });
  const replies = answerToolCalls(toolWorker, toolsConnection, {
    prefix: config.QUEUE_PREFIX,
    onError: (error) =>
      logger.warn({ err: { message: error instanceof Error ? error.message : String(error) } }, 'tool reply not sent'),
    // The api instance that queued the call is gone (crashed or stopped while it ran), or an operator replayed it:
    // the call is recorded here, or it would have no record at all.
    onUnheard: async (job, reply, call) => {
      const payload = toolCallJob.schema.safeParse(job.data);
      if (!payload.success) return;
      await audit
        .record(unheardCallEvent(payload.data, reply, call))
        .catch((error: unknown) =>
          logger.error(
            { jobId: job.id, err: { message: error instanceof Error ? error.message : String(error) } },
            'tool call whose api was gone could not be recorded',
          ),
        );
    },
  });
  toolWorker.on('failed', (job, error) =>
    logger.warn({ jobId: job?.id, job: job?.name, err: { message: error.message } }, 'tool call failed'),
  );
  toolWorker.on('error', (error) => logger.warn({ err: { message: error.message } }, 'tool worker error'));

  let stopping = false;
  const health = createHealthServer(
    () => ({ status: 'ok', service: 'worker', version: SERVICE_VERSION, uptimeSeconds: Math.round(process.uptime()) }),
    () =>
      checkReadiness('worker', SERVICE_VERSION, {
        postgres: () => pingDatabase(db),
        redis: () => pingRedis(probe),
        queue: async () => {
          if (stopping || !worker.isRunning() || !toolWorker.isRunning()) throw new Error('worker is not consuming');
        },
      }),
    (authorization) => metrics.scrape(config.METRICS_TOKEN, authorization),
  );
  await new Promise<void>((resolve) => health.listen(config.WORKER_PORT, config.WORKER_HOST, resolve));
  const healthPort = (health.address() as AddressInfo).port;
  logger.info(
    { queues: [SYSTEM_QUEUE, TOOLS_QUEUE], concurrency: config.WORKER_CONCURRENCY, perTenant, healthPort },
    'worker started',
  );

  return {
    healthPort,
    async stop() {
      if (stopping) return;
      stopping = true;
      logger.info('worker stopping: finishing active jobs');
      await Promise.all([worker.close(), toolWorker.close()]);
      // Calls whose api may be gone are recorded before the connections close.
      await replies.settle();
      await Promise.all([scheduler.close(), toolsQueue.close()]);
      await http.close();
      await accessChanges.close();
      await new Promise<void>((resolve) => health.close(() => resolve()));
      health.closeAllConnections();
      await Promise.allSettled([
        workerConnection.quit(),
        toolsConnection.quit(),
        locksConnection.quit(),
        cancelConnection.quit(),
        jobsConnection.quit(),
        schedulerConnection.quit(),
        probe.quit(),
        db.$disconnect(),
      ]);
      logger.info('worker stopped');
    },
  };
}
