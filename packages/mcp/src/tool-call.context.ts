import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra, RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ProviderTool } from '@gatehouse/tools';
import {
  LoggingLevelSchema,
  type CallToolResult,
  type LoggingLevel,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerSessionState } from './client-session.js';
import { ToolError, type ToolCall } from './tool.definition.js';

export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** True when the client asked not to hear messages this unimportant (no level set: it hears everything). */
export function isBelowLevel(level: LoggingLevel, threshold: LoggingLevel | undefined): boolean {
  return (
    threshold !== undefined && LoggingLevelSchema.options.indexOf(level) < LoggingLevelSchema.options.indexOf(threshold)
  );
}

/** Runs provider tools for one request (the api's queue-backed executor). */
export type ProviderToolRunner = (
  tool: ProviderTool,
  args: Record<string, unknown>,
  call: ToolCall,
) => Promise<CallToolResult>;

export function createToolCall(
  server: McpServer,
  extra: RequestExtra,
  state: ServerSessionState,
  logger: string,
  runProviderTool?: ProviderToolRunner,
): ToolCall {
  const progressToken = extra._meta?.progressToken;
  // In stateless mode the only open stream is this call's POST response: a server request that does not name the
  // call it belongs to would go to the standalone GET stream, which does not exist, and wait forever.
  const related: RequestOptions = { relatedRequestId: extra.requestId, signal: extra.signal };
  const capabilities = () => server.server.getClientCapabilities();
  const call: ToolCall = {
    signal: extra.signal,
    requestId: extra.requestId,
    supportsUrlElicitation: () => Boolean(capabilities()?.elicitation?.url),
    async runProviderTool(tool, args) {
      if (!runProviderTool) throw new ToolError('unavailable', `${tool.name} cannot run here`);
      return runProviderTool(tool, args, call);
    },
    sessionId: extra.sessionId,
    progressToken,
    async log(level, data) {
      if (isBelowLevel(level, state.loggingLevel)) return;
      await extra.sendNotification({ method: 'notifications/message', params: { level, logger, data } });
    },
    async progress(progress, total, message) {
      if (progressToken === undefined) return;
      await extra.sendNotification({
        method: 'notifications/progress',
        params: {
          progressToken,
          progress,
          ...(total !== undefined ? { total } : {}),
          ...(message !== undefined ? { message } : {}),
        },
      });
    },
    async sample(params) {
      if (!capabilities()?.sampling) {
        throw new ToolError('sampling_unsupported', 'The client does not support sampling');
      }
      return server.server.createMessage(params, related);
    },
    async elicit(params) {
      if (!capabilities()?.elicitation?.form) {
        throw new ToolError('elicitation_unsupported', 'The client does not support form elicitation');
      }
      return server.server.elicitInput({ ...params, mode: 'form' }, related);
    },
    closeStream() {
      if (!extra.closeSSEStream) return false;
      extra.closeSSEStream();
      return true;
    },
  };
  return call;
}
