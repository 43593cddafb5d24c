import { redactUrl } from '@gatehouse/telemetry';
import type { NextFunction, Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';
import { issueRequestId } from '../common/request-id.js';

/** The hosted MCP endpoint's route (McpController), logged by `mcpRequestLog` instead of pino-http. */
export const MCP_ROUTE = 't/:tenant/mcp/:server';

/**
 * Request id and one log line per request for the MCP endpoint — what pino-http does for every other route, without
 * its per-request child logger and full header serialisation, which cost the api ~7 % of its CPU per tool call
 * whether or not the line was written (docs/benchmarks.md). The line is flat (`requestId`, `method`, `url`, `rpc` —
 * the JSON-RPC methods of the body, never their params —, `statusCode`, `responseTime`: pino-http's `req`/`res`
 * keys would go through its serializers) and like every line carries no credentials: no headers at all, the URL
 * with credential query parameters redacted. Whatever else is logged while the request is handled (a tool failing,
 * an unhandled error) carries its `requestId` too: the rest of the request runs in a logging context of its own,
 * as pino-http's routes do (a child logger with one binding: well under a microsecond).
 */
export function mcpRequestLog(context: PinoLogger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const requestId = issueRequestId(req, res);
    (req as Request & { id: string }).id = requestId;
    logCompletion(req, res, requestId);
    context.runInContext(next, { bindings: { requestId } });
  };
}

function logCompletion(req: Request, res: Response, requestId: string): void {
  const logger = PinoLogger.root;
  if (logger.isLevelEnabled('info')) {
    const started = Date.now();
    res.once('close', () => {
      logger.info(
        {
          requestId,
          method: req.method,
          url: redactUrl(req.originalUrl),
          rpc: rpcMethods(req.body),
          statusCode: res.statusCode,
          responseTime: Date.now() - started,
        },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    });
  }
}

/** The JSON-RPC methods a request body carries (`tools/call`; comma-separated for a batch), or undefined. */
function rpcMethods(body: unknown): string | undefined {
  const methods: string[] = [];
  for (const message of Array.isArray(body) ? body.slice(0, 10) : [body]) {
    const method = (message as { method?: unknown } | null)?.method;
    if (typeof method === 'string') methods.push(method.slice(0, 64));
  }
  return methods.length > 0 ? methods.join(',') : undefined;
}
