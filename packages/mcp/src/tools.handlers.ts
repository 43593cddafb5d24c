import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  UrlElicitationRequiredError,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { sessionStateOf } from './client-session.js';
import { createToolCall, type ProviderToolRunner } from './tool-call.context.js';
import { ToolError, type ToolDefinition } from './tool.definition.js';

export interface ToolHandlerOptions {
  /** `logger` field of the tools' log notifications. */
  readonly logger: string;
  /** Sees failures the client only sees as "failed unexpectedly"; the api logs them. */
  readonly onToolError?: ((error: unknown, tool: string) => void) | undefined;
  /** Runs provider tools (queue + worker); given by the api. */
  readonly runProviderTool?: ProviderToolRunner | undefined;
}

/**
 * Serves `tools/list` and `tools/call` for exactly `tools`. Done on the low-level server rather than with
 * `McpServer.registerTool` because the SDK advertises zod-derived draft-07 schemas, while tools here advertise
 * JSON Schema 2020-12 (MCP's default dialect since 2025-11-25) with `$defs` kept intact.
 */
export function registerToolHandlers(server: McpServer, tools: readonly ToolDefinition[], options: ToolHandlerOptions) {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const listing = tools.map(describeTool);
  const state = sessionStateOf(server);
  // Exposure is fixed per server instance (one request). When an admin changes the selection, the api tells the
  // server's sessions on their standalone GET streams (`notifications/tools/list_changed`, McpSessionStreams).
  server.server.registerCapabilities({ tools: { listChanged: true } });
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listing }));
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    // An unknown tool is a protocol error (-32602); everything after this point is the tool's own result.
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${request.params.name}`);
    try {
      return await tool.run(
        request.params.arguments,
        createToolCall(server, extra, state, options.logger, options.runProviderTool),
      );
    } catch (error) {
      // The client must see this one as a JSON-RPC error to open the URL it carries.
      if (error instanceof UrlElicitationRequiredError) throw error;
      if (!(error instanceof ToolError || error instanceof McpError)) options.onToolError?.(error, tool.name);
      return toolErrorResult(error);
    }
  });
}

function describeTool(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    ...(tool.title !== undefined ? { title: tool.title } : {}),
    description: tool.description,
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema !== undefined ? { outputSchema: tool.outputSchema } : {}),
    ...(tool.annotations !== undefined ? { annotations: tool.annotations } : {}),
  };
}

/** Tool errors and protocol errors (e.g. a client's invalid elicitation answer) are the caller's to read. */
function toolErrorResult(error: unknown): CallToolResult {
  const text = error instanceof ToolError || error instanceof McpError ? error.message : 'The tool failed unexpectedly';
  return { isError: true, content: [{ type: 'text', text }] };
}
