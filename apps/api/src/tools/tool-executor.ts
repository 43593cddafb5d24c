import { randomUUID } from 'node:crypto';
import {
  canonicalDigest,
  toolCallEvent,
  type ArgumentsDigest,
  type AuditLog,
  type JsonValue,
  type ToolCallResultName,
} from '@gatehouse/audit';
import { connectPageUrl } from '@gatehouse/connections';
import { TOOL_CALL_RETENTION, toolCallJob, type ToolCallPayload, type ToolCallResult } from '@gatehouse/contracts';
import type { ToolCall } from '@gatehouse/mcp';
import type { McpEndpoint } from '@gatehouse/registry';
import type { CircuitState, LimitName, ProviderCircuitBreaker, ToolCallLimiter } from '@gatehouse/policy';
import { currentTraceId, injectTraceContext, inSpan, withTimeout, type GatehouseMetrics } from '@gatehouse/telemetry';
import type { ProviderTool } from '@gatehouse/tools';
import { UrlElicitationRequiredError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Queue } from 'bullmq';
import type { ConnectElicitations } from '../connections/connect-elicitations.js';
import { AnswerNoLongerKept, removeWaitingUnlessStalled, type ToolReplyInbox } from './tool-replies.js';

export interface ToolCaller {
  endpoint: McpEndpoint;
  userId: string;
  clientId: string;
  sessionId: string | undefined;
  requestId: string | undefined;
  /** Told once the call's `tool.call` record is durable (the request then needs no `mcp.request` record). */
  onAudited?: () => void;
}

type Outcome = ToolCallResultName;

/** Worker answers that count against the provider's circuit: its trouble, not the caller's. */
const PROVIDER_FAILURES = new Set(['provider_error', 'provider_unreachable', 'provider_unavailable', 'timeout']);

const LIMIT_TEXT: Record<LimitName, string> = {
  perTenant: "this organisation's limit",
  perUser: 'your limit',
  perTool: 'your limit for this tool',
  perProvider: "this organisation's limit for this provider",
};

/** Extra time the api waits beyond the tool's own deadlines (queueing, token refresh). */
const WAIT_MARGIN_MS = 15_000;
/** Longest wait for a call's rate limits and circuit state (Redis) before the caller is told to try again. */
const POLICY_WAIT_MS = 3_000;
/** How far the worker's clock may lag the api's without a call starting after the api stopped waiting for it. */
const CLOCK_ALLOWANCE_MS = 2_000;

/**
 * Runs provider tools for MCP requests: charges the rate limits, checks the provider's circuit, queues a typed job
 * whose id is the call's idempotency key, waits for the worker's answer (published on this instance's reply channel,
 * whichever worker ran the call) and turns it into an MCP result. The worker checks membership, the tool and the
 * person's connection (once, with the token it reads anyway); its `needs_connection` answer becomes just-in-time
 * consent here. Every call is audited before its answer leaves.
 */
export class ToolExecutor {
  constructor(
    private readonly queue: Queue,
    private readonly replies: ToolReplyInbox,
    private readonly elicitations: ConnectElicitations,
    private readonly policy: { limiter: ToolCallLimiter; breaker: ProviderCircuitBreaker },
    private readonly audit: AuditLog,
    /**
     * Marks the add `callId` of job `jobId` cancelled for `ttlMs` (`toolCancelledKey`) and announces it to the
     * workers (`toolCancelChannel`), in that order, after the queue's own commands.
     */
    private readonly cancel: (jobId: string, ttlMs: number, callId: string) => Promise<void>,
    private readonly metrics: GatehouseMetrics,
    /** PUBLIC_WEB_URL: connect links point at the console's connect page, which explains who is asking. */
    private readonly webUrl: string,
    /** TOOL_CALL_REPLAY_WINDOW_SECONDS, in ms: how long a request that ran is never run again. */
    private readonly replayWindowMs: number,
    /** Keyed digests of arguments for the `tool.call` records (`argumentsDigester`). */
    private readonly digest: ArgumentsDigest,
  ) {}

  /** One call in a `tool.call` span, whose trace the worker's spans and the audit record join. */
  run(caller: ToolCaller, tool: ProviderTool, args: Record<string, unknown>, call: ToolCall): Promise<CallToolResult> {
    return inSpan(
      'tool.call',
      { 'gatehouse.tool': tool.name, 'gatehouse.tool.version': tool.version, 'gatehouse.provider': tool.provider },
      () => this.execute(caller, tool, args, call),
    );
  }

  private async execute(
    caller: ToolCaller,
    tool: ProviderTool,
    args: Record<string, unknown>,
    call: ToolCall,
  ): Promise<CallToolResult> {
    const started = Date.now();
    const { endpoint } = caller;
    // This call's own id: it names the add it queues (cancellation marks) and the circuit's probe it may hold.
    const callId = randomUUID();
    const digest = this.digest(endpoint.tenantId, args);
    const record = (outcome: Outcome, extra: Record<string, unknown> = {}) => {
      this.metrics.toolCalls.inc({ tool: tool.name, result: outcome });
      this.metrics.toolCallSeconds.observe({ tool: tool.name }, (Date.now() - started) / 1000);
      const written = this.audit.record(
        toolCallEvent({
          tenantId: endpoint.tenantId,
          userId: caller.userId,
          clientId: caller.clientId,
          serverId: endpoint.server.id,
          tool: tool.name,
          version: tool.version,
          provider: tool.provider,
          argumentsDigest: digest,
          result: outcome,
          latencyMs: Date.now() - started,
          requestId: caller.requestId,
          traceId: currentTraceId(),
          extra,
        }),
      );
      return written.then(() => caller.onAudited?.());
    };

    // Limits and circuit are independent reads: one wait for both (a call the open circuit refuses still counts).
    // Bounded: while Redis is down its commands wait for it, and the caller is better told at once.
    let decision: Awaited<ReturnType<ToolCallLimiter['consume']>>;
    let circuit: CircuitState;
    const attempts = tool.retryable ? 3 : 1;
    const waitMs = tool.timeoutMs * attempts + WAIT_MARGIN_MS;
    // A probe this call may claim is held for as long as the call may take.
    const circuitState = this.policy.breaker.state(endpoint.tenantId, tool.provider, callId, waitMs);
    try {
      [decision, circuit] = await withTimeout(
        Promise.all([
          this.policy.limiter.consume(
            { tenantId: endpoint.tenantId, userId: caller.userId, tool: tool.name, provider: tool.provider },
            endpoint.toolLimits,
          ),
          circuitState,
        ]),
        POLICY_WAIT_MS,
      );
    } catch {
      // The state may come late rather than never (Redis answers once it is back, and only then claims the probe):
      // a probe it claims in this abandoned call's name is handed on as soon as it says so.
      circuitState.then(
        (late) => this.releaseProbe(endpoint.tenantId, tool.provider, callId, late),
        () => undefined,
      );
      await record('failed', { code: 'unavailable' });
      return errorResult(
        `Gatehouse cannot check this call's limits right now (its queue store does not answer); ${tool.name} was not run. Try again shortly.`,
        { code: 'unavailable' },
      );
    }
    if (!decision.allowed) {
      this.releaseProbe(endpoint.tenantId, tool.provider, callId, circuit);
      await record('rate_limited', { limit: decision.limit, retryAfterSeconds: decision.retryAfterSeconds });
      return errorResult(
        `Too many calls (${LIMIT_TEXT[decision.limit]}); retry after ${decision.retryAfterSeconds} s.`,
        { code: 'rate_limited', limit: decision.limit, retryAfterSeconds: decision.retryAfterSeconds },
      );
    }

    if (circuit.open) {
      await record('failed', { code: 'circuit_open', retryAfterSeconds: circuit.retryAfterSeconds });
      return errorResult(
        `${tool.provider} has been failing; Gatehouse pauses calls to it for ${circuit.retryAfterSeconds} s. Try again then.`,
        { code: 'circuit_open', retryAfterSeconds: circuit.retryAfterSeconds },
      );
    }

    const payload: ToolCallPayload = {
      tenantId: endpoint.tenantId,
      tenantSlug: endpoint.tenantSlug,
      userId: caller.userId,
      clientId: caller.clientId,
      serverId: endpoint.server.id,
      tool: tool.name,
      version: tool.version,
      arguments: args,
      argumentsDigest: digest,
      ...(caller.requestId ? { requestId: caller.requestId } : {}),
      replyTo: this.replies.channel,
      startBy: Date.now() + waitMs - tool.timeoutMs - CLOCK_ALLOWANCE_MS,
      callId,
      traceContext: injectTraceContext(),
    };
    let result: ToolCallResult;
    const jobId = idempotencyKey(caller, call.requestId, tool.name, args);
    // Registered before the job exists, so the answer cannot come first. Progress the worker publishes reaches the
    // client as notifications/progress (when it asked for progress).
    // Progress only ever increases (MCP): a retried attempt starts its count again, and says nothing new until it
    // passes where the last one got.
    let reported = -Infinity;
    const waiting = this.replies.wait(jobId, {
      timeoutMs: waitMs,
      onProgress: ({ progress, total, message }) => {
        if (progress <= reported) return;
        reported = progress;
        void call.progress(progress, total, message).catch(() => undefined);
      },
    });
    // notifications/cancelled ends the wait (a client hanging up does not: packages/mcp runs its requests on);
    // listened to only while it lasts, so a cancellation after the answer cannot touch the finished job a re-sent
    // call must find.
    let cancelled!: () => void;
    const cancellation = new Promise<never>((_, reject) => (cancelled = () => reject(new Error('cancelled'))));
    cancellation.catch(() => undefined);
    call.signal.addEventListener('abort', cancelled, { once: true });
    try {
      // Cancelled while its limits were charged: never queued.
      if (call.signal.aborted) throw new Error('cancelled');
      // The wait's deadline bounds the add too (while Redis is down, the add waits for it).
      await Promise.race([
        cancellation,
        waiting.answer,
        this.queue.add(toolCallJob.name, toolCallJob.schema.parse(payload), {
          jobId,
          // The queue drops completed jobs by age and by count (at a high rate, within seconds); this small key
          // outlives them, so a re-sent request is refused instead of run again. Its time counts from the add, so
          // it is never shorter than twice the wait.
          deduplication: { id: jobId, ttl: Math.max(this.replayWindowMs, 2 * waitMs) },
          attempts,
          backoff: { type: 'exponential', delay: 250 },
          // Completed calls stay an hour, failed ones a week for inspection and replay.
          removeOnComplete: TOOL_CALL_RETENTION.completed,
          removeOnFail: TOOL_CALL_RETENTION.failed,
        }),
      ]);
      result = await Promise.race([waiting.answer, cancellation]);
    } catch (error) {
      if (error instanceof AnswerNoLongerKept) {
        this.releaseProbe(endpoint.tenantId, tool.provider, callId, circuit);
        await record('failed', { code: 'answer_no_longer_kept' });
        return errorResult(
          `${tool.name} was already called with this request (the same request was sent before); that call's answer ` +
            'is no longer kept, and it was not run again. Check what it did before sending a new request.',
        );
      }
      // Whatever ended the wait — a cancellation, no answer in time, the api shutting down, Redis failing — the call
      // must not run after its client was told it was interrupted: a queued job is dropped, a running one aborted
      // by its worker, and one that could not be reached never starts after `startBy`.
      void this.abandon(jobId, waitMs, callId);
      this.releaseProbe(endpoint.tenantId, tool.provider, callId, circuit);
      const message = error instanceof Error ? error.message : 'unknown';
      await record('interrupted', { code: message.slice(0, 200) });
      return errorResult(
        `${tool.name} was interrupted before it answered (${message.includes('stalled') ? 'the worker running it stopped' : 'no answer in time'}). ` +
          (tool.retryable
            ? 'It only reads, so it is safe to call again.'
            : 'It may or may not have taken effect: check before calling it again.'),
      );
    } finally {
      call.signal.removeEventListener('abort', cancelled);
      waiting.stop();
    }

    // Counted before the answer, so the next call sees a circuit this one opened — but bounded, and never at the
    // cost of the call's record and answer (Redis failing just now must not hang or lose them).
    if (result.kind === 'error' && PROVIDER_FAILURES.has(result.code))
      await withTimeout(
        this.policy.breaker.recordFailure(endpoint.tenantId, tool.provider, callId),
        POLICY_WAIT_MS,
      ).catch(() => undefined);
    // Resetting the failure count (when there is one) need not hold the answer (Redis keeps the order of this
    // connection's commands).
    else if (result.kind === 'ok' && circuit.failing)
      void this.policy.breaker.recordSuccess(endpoint.tenantId, tool.provider).catch(() => undefined);
    // Neither: the provider's health is still unknown (not connected, refused, …).
    else this.releaseProbe(endpoint.tenantId, tool.provider, callId, circuit);
    if (result.kind === 'ok') {
      try {
        await record('succeeded', result.providerStatus === undefined ? {} : { providerStatus: result.providerStatus });
      } catch {
        // Fail closed — no answer without its record — but the call did run: the client must not take the refusal
        // for "nothing happened" and send it again.
        return errorResult(
          `${tool.name} ran and finished, but Gatehouse could not record it, so its answer is withheld. ` +
            (tool.retryable
              ? 'It only reads: calling it again is safe.'
              : `It has taken effect at ${tool.provider}: do not call it again; check there instead.`),
          { code: 'unrecorded' },
        );
      }
      return { content: [{ type: 'text', text: JSON.stringify(result.output) }], structuredContent: result.output };
    }
    if (result.kind === 'needs_connection') return this.needsConnection(caller, tool, call, result, record);
    await record('failed', {
      code: result.code,
      ...(result.providerStatus === undefined ? {} : { providerStatus: result.providerStatus }),
    });
    return errorResult(
      result.retryAfterSeconds === undefined
        ? result.message
        : `${result.message} (retry after ${result.retryAfterSeconds} s)`,
      result.retryAfterSeconds === undefined ? undefined : { retryAfterSeconds: result.retryAfterSeconds },
    );
  }

  /** A half-open circuit's probe that ended without a verdict on the provider lets the next call try at once. */
  private releaseProbe(tenantId: string, provider: string, callId: string, circuit: CircuitState): void {
    if (!circuit.open && circuit.probe)
      void this.policy.breaker.releaseProbe(tenantId, provider, callId).catch(() => undefined);
  }

  /**
   * Drops job `jobId` if it is waiting (never taken, put back unrun, or between attempts), and asks its worker to stop
   * it if it runs (best effort; a worker that takes it in between finds it marked cancelled for `ttlMs`, as long as
   * the call may still start). A job whose worker died mid-call stays, for inspection and to refuse a re-send
   * (`removeWaitingUnlessStalled`).
   */
  private async abandon(jobId: string, ttlMs: number, callId: string): Promise<void> {
    await Promise.all([this.cancel(jobId, ttlMs, callId), removeWaitingUnlessStalled(this.queue, jobId)]).catch(
      () => undefined,
    );
  }

  /**
   * Just-in-time consent: a client that declared URL elicitation gets -32042 with the console's connect page (bound
   * to this person by an elicitation id); any other gets a tool error with the same link in plain words.
   */
  private async needsConnection(
    caller: ToolCaller,
    tool: ProviderTool,
    call: ToolCall,
    needed: Extract<ToolCallResult, { kind: 'needs_connection' }>,
    record: (outcome: Outcome, extra?: Record<string, unknown>) => Promise<unknown>,
  ): Promise<CallToolResult> {
    const urlMode = call.supportsUrlElicitation();
    const elicitationId = await this.elicitations.create({
      tenantId: caller.endpoint.tenantId,
      userId: caller.userId,
      providerId: tool.provider,
      clientId: caller.clientId,
      scopes: [...tool.scopes],
      // Only a URL-mode elicitation is completed by notifications/elicitation/complete (MCP): a client given a plain
      // link was never told an elicitation id, and may not know the method at all.
      sessionId: urlMode ? caller.sessionId : undefined,
    });
    const url = new URL(connectPageUrl(this.webUrl, caller.endpoint.tenantSlug, tool.provider, tool.scopes));
    url.searchParams.set('elicitation', elicitationId);
    await record('needs_connection', { reason: needed.reason, elicitationId });
    const message = `${needed.message} Open ${url.toString()} to continue, then call ${tool.name} again.`;
    if (urlMode) {
      throw new UrlElicitationRequiredError(
        [{ mode: 'url', elicitationId, url: url.toString(), message: needed.message }],
        message,
      );
    }
    return errorResult(message, { reason: needed.reason, connectUrl: url.toString() });
  }
}

function errorResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  return {
    isError: true,
    content: [{ type: 'text', text }],
    ...(structured ? { _meta: { gatehouse: structured } } : {}),
  };
}

/**
 * The same JSON-RPC request (same person, client, server, session, request id, tool and arguments) maps to the same
 * job: a client that re-sends a call after a broken connection gets the first run's answer, not a second run. Only
 * within a session: without one, every call is its own.
 */
export function idempotencyKey(
  caller: ToolCaller,
  requestId: string | number,
  tool: string,
  args: Record<string, unknown>,
): string {
  // Request ids are unique only within a session (MCP, "Requests"): a client without one may send `id: 1` with every
  // request, each a new call, so its calls are never taken for re-sends.
  return canonicalDigest([
    caller.endpoint.tenantId,
    caller.userId,
    caller.clientId,
    caller.endpoint.server.id,
    caller.sessionId ?? `no-session:${randomUUID()}`,
    typeof requestId === 'number' ? `n:${requestId}` : `s:${requestId}`,
    tool,
    args as JsonValue,
  ]);
}
