import type { DependencyCheck, DependencyName, ReadinessResponse } from '@gatehouse/contracts';

export type Probe = () => Promise<unknown>;

/** `work`, or a rejection (`no answer within <ms> ms`) if it has not settled by then; `work` itself goes on. */
export function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      // Never what keeps a stopping process alive.
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}

async function timed(probe: Probe, timeoutMs: number): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    await withTimeout(probe(), timeoutMs);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    // First line only, capped: drivers sometimes append connection details on later lines.
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '').slice(0, 200) : 'unreachable';
    return { status: 'down', latencyMs: Math.round(performance.now() - started), error: reason || 'unreachable' };
  }
}

/**
 * Runs every probe concurrently, each bounded by `timeoutMs`, and reports which dependencies are down.
 * Shared by every process's `/readyz` so they all answer the same way.
 */
export async function checkReadiness(
  service: string,
  version: string,
  probes: Partial<Record<DependencyName, Probe>>,
  timeoutMs = 1_500,
): Promise<ReadinessResponse> {
  const names = Object.keys(probes) as DependencyName[];
  const results = await Promise.all(names.map((name) => timed(probes[name]!, timeoutMs)));
  const checks: ReadinessResponse['checks'] = {};
  names.forEach((name, index) => (checks[name] = results[index]!));
  const down = names.filter((name) => checks[name]?.status === 'down');
  return { status: down.length === 0 ? 'ready' : 'not_ready', service, version, checks, down };
}

/** The part of an ioredis client a readiness probe needs (kept structural so this package needs no Redis driver). */
export interface RedisLike {
  readonly status: string;
  ping(): Promise<string>;
  once(event: 'ready', listener: () => void): unknown;
  removeListener(event: 'ready', listener: () => void): unknown;
}

/**
 * Pings a Redis connection that does not queue commands while offline. While it is still (re)connecting the probe
 * waits for it to become ready — bounded by checkReadiness' timeout — so a fresh process is not reported down.
 */
export async function pingRedis(redis: RedisLike): Promise<void> {
  if (redis.status === 'connecting' || redis.status === 'connect') {
    await new Promise<void>((resolve) => {
      const onReady = () => resolve();
      redis.once('ready', onReady);
      setTimeout(() => {
        redis.removeListener('ready', onReady);
        resolve();
      }, 1_000).unref();
    });
  }
  await redis.ping();
}
