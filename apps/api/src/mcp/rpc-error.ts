import type { Response } from 'express';

/**
 * A JSON-RPC error answered over HTTP: how the MCP endpoint refuses a request before (or instead of) the MCP server
 * answering it. `id` is the request's when it is known, else null (JSON-RPC 2.0 §5).
 */
export function writeRpcError(
  res: Response,
  status: number,
  code: number,
  message: string,
  id: string | number | null = null,
): void {
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id });
}
