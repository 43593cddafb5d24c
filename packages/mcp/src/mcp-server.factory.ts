import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation';
import { registerSessionHandlers, type SessionChangeListener } from './session.handlers.js';
import type { ProviderToolRunner } from './tool-call.context.js';
import { resolveExposure } from './toolkit.catalog.js';
import { registerToolkitContent } from './toolkit-content.handlers.js';
import { registerToolHandlers } from './tools.handlers.js';

/** Reported as `serverInfo.version`. */
export const SERVER_VERSION = '0.1.0';

/** One hosted MCP server (`/t/{tenantSlug}/mcp/{serverSlug}`) and what it exposes. */
export interface McpServerContext {
  readonly tenantSlug: string;
  readonly serverSlug: string;
  readonly title: string;
  /** Whole toolkits: all their tools, resources and prompts. */
  readonly toolkits: readonly string[];
  /** Single tools as `toolkit.tool`. */
  readonly tools: readonly string[];
  /** Tools the calling person may not use (admin-only tools for a member): absent from tools/list, unknown to calls. */
  readonly withheld?: readonly string[] | undefined;
}

export interface McpServerOptions {
  /** A request changed the session (log level, subscriptions): store it before the response goes out. */
  readonly onSessionChange?: SessionChangeListener | undefined;
  /** A tool failed in a way the client only sees as "failed unexpectedly". */
  readonly onToolError?: ((error: unknown, tool: string) => void) | undefined;
  /** Protocol-level trouble the client may never see (e.g. an answer nobody waits for). */
  readonly onProtocolError?: ((error: Error) => void) | undefined;
  /** Runs provider tools as the calling person (the api queues them for the worker). */
  readonly runProviderTool?: ProviderToolRunner | undefined;
}

/**
 * A fresh server for one HTTP request, exposing only what `context` selects. Never share one between requests or
 * clients (a shared instance leaked responses across clients in SDK <= 1.25.3, CVE-2026-25536). Restore the
 * client's session with `restoreClientSession` before connecting it.
 */
export function createMcpServer(context: McpServerContext, options: McpServerOptions = {}): McpServer {
  const exposure = resolveExposure(context);
  const server = new McpServer(
    { name: `gatehouse/${context.tenantSlug}/${context.serverSlug}`, title: context.title, version: SERVER_VERSION },
    { capabilities: { logging: {} }, jsonSchemaValidator: new LazyValidator() },
  );
  if (options.onProtocolError) server.server.onerror = options.onProtocolError;
  registerToolHandlers(server, exposure.tools, {
    logger: context.serverSlug,
    onToolError: options.onToolError,
    runProviderTool: options.runProviderTool,
  });
  const content = registerToolkitContent(server, exposure.wholeToolkits);
  registerSessionHandlers(server, {
    onSessionChange: options.onSessionChange,
    isKnownResource: content.hasResources ? content.isKnownResource : undefined,
  });
  return server;
}

/**
 * Ajv, which the SDK uses to check elicitation answers, costs more to set up than the rest of a server; most
 * requests never elicit, so it is built on first use.
 */
class LazyValidator implements jsonSchemaValidator {
  private ajv: AjvJsonSchemaValidator | undefined;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    this.ajv ??= new AjvJsonSchemaValidator();
    return this.ajv.getValidator<T>(schema);
  }
}
