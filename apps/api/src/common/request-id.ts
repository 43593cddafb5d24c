import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdFrom } from '@gatehouse/telemetry';

/**
 * The request's id — the caller's `x-request-id` if it is safe, else a new UUID — echoed in the response header.
 * One rule for every route: pino-http's `genReqId` and the MCP endpoint's own request log both use it.
 */
export function issueRequestId(req: IncomingMessage, res: ServerResponse): string {
  const id = requestIdFrom(req.headers['x-request-id']);
  res.setHeader('x-request-id', id);
  return id;
}
