import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE } from '@gatehouse/contracts';
import type { Request, Response } from 'express';
import type { ProblemDetails } from '@gatehouse/contracts';
import { DataError, isDatabaseError } from '@gatehouse/db';
import { IdentityError, type IdentityErrorCode } from '@gatehouse/identity';
import { ConnectionsError, type ConnectionsErrorCode } from '@gatehouse/connections';
import { LockTimeoutError } from '@gatehouse/coordination';
import { VaultError } from '@gatehouse/vault';
import { RegistryError } from '@gatehouse/registry';
import { writeRpcError } from '../mcp/rpc-error.js';
import { TenancyError, type TenancyErrorCode } from '@gatehouse/tenancy';
import { ZodError } from 'zod';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'rate_limited',
  503: 'unavailable',
};

function problem(status: number, code: string, detail?: string, extra?: Partial<ProblemDetails>): ProblemDetails {
  return {
    type: status >= 500 ? 'about:blank' : `https://gatehouse.dev/problems/${code.replace(/_/g, '-')}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    code,
    ...(detail === undefined ? {} : { detail }),
    ...extra,
  };
}

/**
 * Translates any error into RFC 9457 problem details. Only 4xx errors explain themselves; anything unexpected
 * becomes a bare 500 whose details stay in the log (matched by request id), never in the response.
 */
const IDENTITY_STATUS: Record<IdentityErrorCode, number> = {
  invalid_credentials: 401,
  too_many_attempts: 429,
  email_taken: 409,
  weak_password: 400,
};

const TENANCY_STATUS: Record<TenancyErrorCode, number> = {
  not_found: 404,
  forbidden: 403,
  last_owner: 409,
  slug_taken: 409,
  already_member: 409,
  invitation_invalid: 400,
  invalid_api_key: 401,
  confirmation_mismatch: 400,
  precondition_failed: 412,
};

export const CONNECTIONS_STATUS: Record<ConnectionsErrorCode, number> = {
  unknown_provider: 404,
  invalid_scopes: 400,
  invalid_settings: 400,
  client_secret_required: 400,
  provider_not_configured: 409,
  invalid_state: 400,
  connection_declined: 400,
  exchange_failed: 502,
  provider_unreachable: 502,
  response_too_large: 502,
  not_connected: 404,
  tokens_unreadable: 503,
  tokens_unstorable: 503,
  client_secret_unreadable: 503,
  client_secret_unstorable: 503,
  connection_busy: 503,
  person_required: 403,
  elicitation_expired: 410,
  elicitation_refused: 403,
};

export function toProblem(error: unknown): { problem: ProblemDetails; unexpected: boolean; retryAfter?: number } {
  if (error instanceof RegistryError) {
    return {
      problem: problem(error.code === 'server_exists' ? 409 : 400, error.code, error.message),
      unexpected: false,
    };
  }
  if (error instanceof ConnectionsError) {
    return { problem: problem(CONNECTIONS_STATUS[error.code], error.code, error.message), unexpected: false };
  }
  if (error instanceof TenancyError) {
    return { problem: problem(TENANCY_STATUS[error.code], error.code, error.message), unexpected: false };
  }
  if (error instanceof IdentityError) {
    return {
      problem: problem(IDENTITY_STATUS[error.code], error.code, error.message),
      unexpected: false,
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfter: error.retryAfterSeconds }),
    };
  }
  if (error instanceof ZodError) {
    const errors = error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(body)',
      message: issue.message,
    }));
    return { problem: problem(400, 'validation_failed', 'The request is not valid.', { errors }), unexpected: false };
  }
  if (error instanceof DataError) {
    const status = error.code === 'conflict' ? 409 : 404;
    return { problem: problem(status, error.code, error.message), unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status >= 500) return { problem: problem(status, 'internal_error'), unexpected: true };
    // Nest wraps body-parser failures; say plainly that the JSON is broken rather than echo the parser.
    if ((error.cause as { type?: unknown } | undefined)?.type === 'entity.parse.failed') {
      return { problem: problem(400, 'malformed_body', 'The request body is not valid JSON.'), unexpected: false };
    }
    const response = error.getResponse();
    const detail = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const code = CODE_BY_STATUS[status] ?? `http_${status}`;
    return { problem: problem(status, code, typeof detail === 'string' ? detail : undefined), unexpected: false };
  }
  // Backstops for paths that do not say it better themselves: a secret the vault cannot seal or open here (logged:
  // an operator must look at the keys), and a lock another request holds for too long (try again).
  if (error instanceof VaultError)
    return {
      problem: problem(
        503,
        'vault_unavailable',
        'A stored secret cannot be used right now; an operator has been told.',
      ),
      unexpected: true,
    };
  if (error instanceof LockTimeoutError)
    return {
      problem: problem(503, 'busy', 'Another request is changing the same thing right now; try again in a moment.'),
      unexpected: false,
      retryAfter: 5,
    };
  // Two transactions that locked the same rows in opposite orders (a tenant's deletion beside an admin's change):
  // PostgreSQL aborted one, and nothing of it was kept — the request may simply be sent again.
  if (isDatabaseError(error, (code) => code === '40P01' || code === '40001' || code === 'P2034'))
    return {
      problem: problem(
        503,
        'conflict_retry',
        'Another change to the same data ran at the same moment; send the request again.',
      ),
      unexpected: false,
      retryAfter: 1,
    };
  if (unstorableText(error))
    return {
      problem: problem(400, 'invalid_text', 'Text may not contain the NUL character (U+0000).'),
      unexpected: false,
    };
  // PostgreSQL or Redis unreachable, or out of connections: nothing is wrong with the request, which may be sent again
  // shortly. Still logged (an outage is what operators must hear of).
  if (dependencyUnavailable(error))
    return {
      problem: problem(503, 'unavailable', 'A service Gatehouse depends on is not answering; try again shortly.'),
      unexpected: true,
      retryAfter: 5,
    };
  return {
    problem: problem(500, 'internal_error', 'Something went wrong on our side. It has been logged.'),
    unexpected: true,
  };
}

/**
 * PostgreSQL refusing text it cannot store — a NUL character in a string (`22021`) or in JSON (`22P05`): any free-text
 * field of any request can carry one, and it is the client's input, not our failure. Found by SQLSTATE or message
 * anywhere along the error's causes (the driver adapter wraps the database's error).
 */
function unstorableText(error: unknown): boolean {
  return isDatabaseError(
    error,
    (code) => code === '22021' || code === '22P05',
    /invalid byte sequence for encoding "UTF8": 0x00|unsupported Unicode escape sequence/,
  );
}

/**
 * The database or Redis could not be reached or had no connection to give: SQLSTATE class 08 (connection
 * exceptions), 57P01–57P03 (shut down, starting up), 53300 (too many connections); Prisma's P1001/P1002/P1017
 * (unreachable, timed out, closed) and P2024 (pool timeout); socket errors; the pg pool's and ioredis's own words for
 * the same. Found anywhere along the error's causes.
 */
function dependencyUnavailable(error: unknown): boolean {
  return isDatabaseError(
    error,
    (code) =>
      // 08P01 (protocol violation) is a malformed statement — a bug, not an outage.
      (code.startsWith('08') && code !== '08P01') ||
      ['57P01', '57P02', '57P03', '53300', 'P1001', 'P1002', 'P1017', 'P2024'].includes(code) ||
      ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'].includes(code),
    /timeout exceeded when trying to connect|Connection terminated|Can't reach database server|Connection is closed|Reached the max retries per request limit/,
  );
}

/** Writes `error` as problem+json; returns true when the error was unexpected (the caller logs it). */
export function writeProblem(error: unknown, req: Request & { id?: unknown }, res: Response): boolean {
  const { problem, unexpected, retryAfter } = toProblem(error);
  if (res.headersSent) return unexpected;
  if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
  const requestId = typeof req.id === 'string' ? req.id : undefined;
  res
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify({ ...problem, instance: req.originalUrl.split('?')[0], ...(requestId ? { requestId } : {}) }));
  return unexpected;
}

const MCP_ENDPOINT = /^\/t\/[^/]+\/mcp\/[^/]+\/?$/;

/**
 * MCP clients speak JSON-RPC, not problem+json: failures before the MCP server sees the request (a body that is
 * not JSON, one too large) answer as JSON-RPC errors on the MCP endpoint. Returns whether `writeProblem` applies.
 */
export function writeRpcProblem(error: unknown, req: Request, res: Response): boolean | undefined {
  if (!MCP_ENDPOINT.test(req.path)) return undefined;
  const { problem, unexpected, retryAfter } = toProblem(error);
  if (res.headersSent) return unexpected;
  if (retryAfter !== undefined) res.setHeader('Retry-After', String(retryAfter));
  const code = problem.code === 'malformed_body' ? -32700 : problem.status >= 500 ? -32603 : -32600;
  writeRpcError(
    res,
    problem.status,
    code,
    code === -32700 ? 'Parse error: the body is not valid JSON.' : (problem.detail ?? problem.title),
  );
  return unexpected;
}
