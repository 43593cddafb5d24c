import { Inject, Injectable } from '@nestjs/common';
import type { ApiConfig } from '@gatehouse/config';
import { heartbeatJob, workerHeartbeatKey, type SystemStatusResponse } from '@gatehouse/contracts';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { SERVICE_VERSION } from '../common/version.js';
import { ReadinessService } from '../health/readiness.service.js';
import { API_CONFIG, REDIS_PROBE, SYSTEM_QUEUE_TOKEN } from '../infrastructure/tokens.js';

const HEARTBEAT_BUCKET_MS = 5_000;

@Injectable()
export class SystemService {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(REDIS_PROBE) private readonly redis: Redis,
    @Inject(SYSTEM_QUEUE_TOKEN) private readonly queue: Queue,
    private readonly readiness: ReadinessService,
  ) {}

  /**
   * The platform at a glance. Also enqueues a heartbeat job (one per 5 s bucket, deduplicated by job id) so the
   * answer proves the api → queue → worker path, not just that processes are up.
   */
  async status(): Promise<SystemStatusResponse> {
    const api = await this.readiness.check();
    const worker =
      api.checks.redis?.status === 'up' ? await this.workerStatus() : { lastHeartbeatAgeSeconds: null, waitingJobs: 0 };
    return {
      name: 'Gatehouse',
      version: SERVICE_VERSION,
      environment: this.config.NODE_ENV,
      time: new Date().toISOString(),
      // Anyone may read this page: whether each dependency is up, never why not (a driver's reason names hosts and
      // ports inside the deployment). Operators read the reasons at /readyz and in the logs.
      api: {
        ...api,
        checks: Object.fromEntries(
          Object.entries(api.checks).map(([name, check]) => [
            name,
            { status: check.status, latencyMs: check.latencyMs },
          ]),
        ),
      },
      worker,
    };
  }

  private async workerStatus(): Promise<SystemStatusResponse['worker']> {
    const now = Date.now();
    const payload = heartbeatJob.schema.parse({ sentAt: new Date(now).toISOString(), from: 'api' });
    await this.queue.add(heartbeatJob.name, payload, {
      jobId: `heartbeat-${Math.floor(now / HEARTBEAT_BUCKET_MS)}`,
      removeOnComplete: { count: 10 },
      removeOnFail: { count: 100 },
    });
    const [last, waitingJobs] = await Promise.all([
      this.redis.get(workerHeartbeatKey(this.config.QUEUE_PREFIX)),
      this.queue.getWaitingCount(),
    ]);
    const lastMs = last === null ? Number.NaN : Date.parse(last);
    return {
      lastHeartbeatAgeSeconds: Number.isNaN(lastMs) ? null : Math.max(0, Math.round((now - lastMs) / 1000)),
      waitingJobs,
    };
  }
}
