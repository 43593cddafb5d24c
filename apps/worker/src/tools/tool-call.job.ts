import { ConnectionsError, deadline, type ConnectionService, type OutboundHttp } from '@gatehouse/connections';
import { toolCallJob, type ToolCallPayload, type ToolCallResult } from '@gatehouse/contracts';
import { extractTraceContext, inSpan, type Logger } from '@gatehouse/telemetry';
import {
  exposesTool,
  findProviderTool,
  PROVIDER_RESPONSE_MAX_BYTES,
  providerApi,
  ProviderApiError,
  ToolFailure,
  withheldFor,
  type ServerTools,
} from '@gatehouse/tools';
import { defineJob, type JobContext } from '../jobs/job-definition.js';
import type { ToolCancellations } from './tool-cancellations.js';

/** Thrown to have BullMQ run the job again (only for tools that are read-only or idempotent). */
export class RetryableToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryableToolError';
  }
}

export interface ToolCallDependencies {
  connections: ConnectionService;
  http: OutboundHttp;
  logger: Logger;
  cancellations: ToolCancellations;
}

/** A provider limit with no time to come back (the provider client gives each one a time; this is the backstop). */
const UNTIMED_LIMIT_SECONDS = 30;

const error = (code: string, message: string, extra: { retryAfterSeconds?: number; providerStatus?: number } = {}) =>
  ({ kind: 'error', code, message, ...extra }) satisfies ToolCallResult;

/**
 * Runs one provider tool call as the calling person: re-checks that they are still a member and still connected
 * (a connection revoked while the job waited is refused), gets a fresh token from the connections service, runs
 * the handler under the tool's deadline with an API client carrying that token, and answers a typed result. A
 * retryable failure is thrown (BullMQ runs the job again) only for read-only or idempotent tools and only while
 * attempts remain; everything else becomes a clear result, never a blind second run of a side effect.
 */
export function createToolCallJob(deps: ToolCallDependencies) {
  return defineJob(toolCallJob, (payload, context) =>
    // A child of the api's `tool.call` span: one trace from the MCP request to the provider's answer.
    inSpan(
      'tool.run',
      {
        'gatehouse.tool': payload.tool,
        'gatehouse.tool.version': payload.version,
        'gatehouse.attempt': context.attempt,
      },
      () => runToolCall(deps, payload, context),
      extractTraceContext(payload.traceContext),
    ),
  );
}

export async function runToolCall(
  deps: ToolCallDependencies,
  payload: ToolCallPayload,
  context: JobContext,
): Promise<ToolCallResult> {
  // Listening for a cancellation from the start: one that arrives while the token is fetched (a refresh may take
  // seconds) still stops the call before it reaches the provider.
  const cancel = deps.cancellations.register(context.jobId);
  try {
    return await runRegistered(deps, payload, context, cancel.signal);
  } finally {
    cancel.release();
  }
}

async function runRegistered(
  deps: ToolCallDependencies,
  payload: ToolCallPayload,
  context: JobContext,
  cancelled: AbortSignal,
): Promise<ToolCallResult> {
  const found = findProviderTool(payload.tool);
  if (!found || found.tool.version !== payload.version)
    return error('unknown_tool', `This worker does not have ${payload.tool} version ${payload.version}.`);
  const { toolkit, tool } = found;
  let args: Record<string, unknown>;
  try {
    args = tool.parse(payload.arguments);
  } catch (failure) {
    if (failure instanceof ToolFailure) return error(failure.code, failure.message);
    throw failure;
  }
  // A side effect must not happen after its client cancelled: a cancellation announced before this worker took the
  // job was not heard, but marked (read while the token is fetched). Reads cannot harm, and skip the read.
  // Unreadable, it is taken as cancelled (fail closed): a side effect the client may have called off is not risked.
  const markedCancelled: Promise<boolean | 'unknown'> = tool.retryable
    ? Promise.resolve(false)
    : deps.cancellations.markedBefore(context.jobId, payload.callId).catch((failure: unknown) => {
        deps.logger.warn({ err: failure, jobId: context.jobId }, 'could not read whether the call was cancelled');
        return 'unknown' as const;
      });
  const request = {
    tenant: { id: payload.tenantId, slug: payload.tenantSlug },
    userId: payload.userId,
    providerId: tool.provider,
    scopes: tool.scopes,
  };
  // Still a member, the tool still offered to them by the server the call came through, and still connected: one
  // read (a connection revoked, a tool disabled or made admin-only while the job waited: refused here).
  let token: Awaited<ReturnType<ConnectionService['accessToken']>>;
  try {
    token = await deps.connections.accessToken({
      ...request,
      authorize: { serverId: payload.serverId, refusal: (access) => toolRefusal(access, toolkit.name, tool.name) },
    });
  } catch (failure) {
    // Stored tokens that cannot be opened, a connection removed while it was refreshed: a clear answer, nothing sent
    // (asking again gets the same answer).
    if (failure instanceof ConnectionsError) return error(failure.code, failure.message);
    throw failure;
  }
  const refused = (result: Exclude<typeof token, { ok: true }>): ToolCallResult => {
    if (result.reason === 'not_a_member' || result.reason === 'not_allowed')
      return error(result.reason, result.message);
    if (result.reason === 'provider_unavailable')
      return retryOr(tool.retryable, context, error('provider_unavailable', result.message));
    return needsConnection(result);
  };
  if (!token.ok) return refused(token);

  // The last moment to back out: nothing has reached the provider yet.
  const mark = await markedCancelled;
  if (cancelled.aborted || mark === true)
    return error('cancelled', `${payload.tool} was cancelled by the client before it ran.`);
  if (mark === 'unknown')
    return error(
      'unavailable',
      `Gatehouse could not check whether this call had been cancelled, so ${payload.tool} was not run (nothing was sent to ${tool.provider}). Try again shortly.`,
    );
  if (payload.startBy !== undefined && Date.now() > payload.startBy)
    return error(
      'expired',
      `${payload.tool} waited too long to start and was not run (the caller had stopped waiting); call it again if it is still wanted.`,
    );
  const limit = deadline(tool.timeoutMs, cancelled);
  const signal = limit.signal;
  const run = (access: Extract<typeof token, { ok: true }>) =>
    Promise.race([
      tool.run(args, {
        api: providerApi(
          deps.http,
          toolkit.apiBaseUrl(access.settings),
          access.accessToken,
          signal,
          toolkit.headers,
          tool.timeoutMs,
        ),
        signal,
        progress: async (progress, total, message) => context.progress({ progress, total, message }),
      }),
      new Promise<never>((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
      ),
    ]);
  // The token the provider saw last (a refresh after its 401 replaces it).
  let used = token;
  try {
    let output: Record<string, unknown>;
    try {
      output = await run(token);
    } catch (failure) {
      if (!(failure instanceof ProviderApiError && failure.status === 401)) throw failure;
      // Refused before it expired (revoked early, the provider's clocks): a fresh token may well work — refreshed
      // first, the person sent to reconnect only if that fails.
      let fresh: Awaited<ReturnType<ConnectionService['refreshRejected']>>;
      try {
        fresh = await deps.connections.refreshRejected(request, token.accessToken);
      } catch (refreshFailure) {
        // The connection removed meanwhile, its tokens unreadable: that is the answer (nothing was done).
        if (refreshFailure instanceof ConnectionsError) return error(refreshFailure.code, refreshFailure.message);
        throw refreshFailure;
      }
      if (fresh === undefined) throw failure;
      if (!fresh.ok) return refused(fresh);
      if (!tool.retryable)
        return error(
          'provider_unauthorized',
          `${tool.provider} refused your token, so this request did not take effect there; Gatehouse has refreshed the token: call ${payload.tool} again.`,
          { providerStatus: 401 },
        );
      used = fresh;
      output = await run(fresh);
    }
    return { kind: 'ok', output };
  } catch (failure) {
    // A refresh after a 401 that asks for another attempt (the provider could not refresh just now).
    if (failure instanceof RetryableToolError) throw failure;
    if (failure instanceof ToolFailure) return error(failure.code, failure.message);
    if (failure instanceof ProviderApiError) {
      const status = failure.status;
      if (status === 401) {
        // The provider no longer accepts this person's token: they must connect again.
        await deps.connections.reportRejected(payload.tenantId, used.connectionId, used.accessToken);
        const reason = await deps.connections.check(request);
        if (reason?.reason === 'not_a_member' || reason?.reason === 'not_allowed')
          return error(reason.reason, reason.message);
        if (reason && reason.reason !== 'provider_unavailable') return needsConnection(reason);
        return error('provider_unauthorized', `${tool.provider} refused your token; connect it again.`, {
          providerStatus: 401,
        });
      }
      if (status === 403) {
        // The provider says the token lacks a scope the stored grant claims (withdrawn at the provider, a grant
        // narrowed there): the grant is recorded without the tool's scopes, and the person asked to grant them again.
        if (failure.refusal.scopeRefused && tool.scopes.length > 0) {
          await deps.connections.reportScopesRefused(
            payload.tenantId,
            used.connectionId,
            used.accessToken,
            tool.scopes,
          );
          const reason = await deps.connections.check(request);
          if (reason?.reason === 'not_a_member' || reason?.reason === 'not_allowed')
            return error(reason.reason, reason.message);
          if (reason && reason.reason !== 'provider_unavailable') return needsConnection(reason);
        }
        return error('provider_forbidden', forbidden(tool, failure), { providerStatus: 403 });
      }
      if (status === 404)
        return error('not_found', 'The provider has no such object (or you cannot see it).', { providerStatus: 404 });
      if (status === 429)
        // Never retried here: a provider that limits requests is not asked again sooner than it says (and the
        // provider client gives every limit a time), so the caller hears when, at once.
        return error('provider_rate_limited', `${tool.provider} is limiting requests; try again later.`, {
          providerStatus: 429,
          retryAfterSeconds: failure.retryAfterSeconds ?? UNTIMED_LIMIT_SECONDS,
        });
      if (status >= 500)
        return retryOr(
          tool.retryable,
          context,
          error(
            'provider_error',
            // A provider failing a write may have done part or all of it first (Slack says so of internal_error).
            tool.retryable
              ? `${tool.provider} failed (HTTP ${status}); try again later.`
              : `${tool.provider} failed (HTTP ${status}). It may have taken effect there all the same: check before calling it again.`,
            { providerStatus: status },
          ),
        );
      return error(
        'provider_rejected',
        `${tool.provider} rejected the request (HTTP ${status}${failure.providerCode ? `, ${failure.providerCode}` : ''}).`,
        { providerStatus: status },
      );
    }
    if (cancelled.aborted)
      return error(
        'cancelled',
        tool.retryable
          ? `${payload.tool} was cancelled by the client.`
          : `${payload.tool} was cancelled by the client.${mayHaveTakenEffect(tool.provider)}`,
      );
    if (limit.expired())
      return retryOr(
        tool.retryable,
        context,
        error(
          'timeout',
          `${payload.tool} took longer than ${tool.timeoutMs / 1000} s.${tool.retryable ? '' : mayHaveTakenEffect(tool.provider)}`,
        ),
      );
    // Asking again would get the same answer: never retried.
    if (failure instanceof ConnectionsError && failure.code === 'response_too_large')
      return error(
        'provider_response_too_large',
        `${tool.provider} answered with more than ${PROVIDER_RESPONSE_MAX_BYTES / (1024 * 1024)} MiB; ask for less (fewer results per page, a narrower query).`,
      );
    if (failure instanceof ConnectionsError)
      return retryOr(
        tool.retryable,
        context,
        error(
          'provider_unreachable',
          `${failure.message}${!tool.retryable && failure.maybeSent ? mayHaveTakenEffect(tool.provider) : ''}`,
        ),
      );
    deps.logger.error({ err: failure, tool: payload.tool, jobId: context.jobId }, 'tool handler failed');
    // E.g. an answer that could not be read or did not match the tool's output: the request may have been carried out.
    return error(
      'tool_failed',
      `${payload.tool} failed unexpectedly.${tool.retryable ? '' : mayHaveTakenEffect(tool.provider)}`,
    );
  } finally {
    limit.release();
  }
}

/** Why the server no longer offers `name` to this person, if it does not (the api's rule: `exposesTool`). */
function toolRefusal(
  access: { role: string; server: ServerTools | null },
  toolkit: string,
  name: string,
): string | undefined {
  if (!access.server) return 'This MCP server no longer exists.';
  const { toolkits, tools, adminOnlyTools } = access.server;
  if (!exposesTool({ toolkits, tools, withheld: withheldFor(access.role, adminOnlyTools) }, toolkit, name))
    return `${name} is no longer available to you on this MCP server.`;
  return undefined;
}

function needsConnection(reason: {
  reason: 'not_connected' | 'missing_scopes' | 'needs_reauth';
  message: string;
  connectUrl: string;
  missingScopes: string[];
}): ToolCallResult {
  const { message, connectUrl, missingScopes } = reason;
  return { kind: 'needs_connection', reason: reason.reason, message, connectUrl, missingScopes };
}

/** Slack's refusals that are not about permissions: what the person can do about them. */
const REFUSALS: Record<string, string> = {
  not_in_channel: 'you are not a member of that channel; join it first',
  is_archived: 'that channel is archived',
  restricted_action: "the workspace's settings do not let you do this",
  not_allowed_token_type: 'this kind of token may not do this',
};

/** Why a provider refused (HTTP 403), in words the person can act on. */
function forbidden(tool: { provider: string; scopes: readonly string[] }, failure: ProviderApiError): string {
  const code = failure.providerCode;
  const refused = `${tool.provider} refused this${code ? ` (${code})` : ''}`;
  if (failure.refusal.singleSignOnUrl)
    return `${refused}: the organisation requires single sign-on for your connection; authorize it at ${failure.refusal.singleSignOnUrl}, then call again.`;
  if (code && REFUSALS[code]) return `${refused}: ${REFUSALS[code]}.`;
  if (failure.refusal.scopeRefused) return `${refused}: your connection lacks a scope this needs.`;
  return tool.scopes.length > 0
    ? `${refused}: your account there may lack the permission, or the connection a scope (${tool.scopes.join(', ')}).`
    : `${refused}: your account there may lack the permission.`;
}

/** Said of a write whose request may have reached the provider before it failed: the caller must check first. */
function mayHaveTakenEffect(provider: string): string {
  return ` If its request had reached ${provider}, it may have taken effect there: check before calling it again.`;
}

/** A retryable failure: thrown while a read-only/idempotent tool has attempts left, else answered as it is. */
function retryOr(retryable: boolean, context: JobContext, result: ToolCallResult): ToolCallResult {
  if (retryable && context.attempt < context.maxAttempts)
    throw new RetryableToolError(result.kind === 'error' ? result.code : 'retry');
  return result;
}
