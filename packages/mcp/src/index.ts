export {
  applySessionChange,
  MAX_SUBSCRIPTIONS,
  McpClientSessionSchema,
  parseClientSession,
  restoreClientSession,
  sessionFromInitialize,
  type McpClientSession,
  type McpSessionChange,
  type RestorableSession,
} from './client-session.js';
export { createMcpServer, SERVER_VERSION, type McpServerContext, type McpServerOptions } from './mcp-server.factory.js';
export { serveMcpRequest, type ServeMcpRequestOptions } from './mcp-request.handler.js';
export { InProcessMessageRelay, type McpMessageRelay, type RelayKeyOptions } from './message.relay.js';
export { checkOrigin, type OriginPolicy } from './origin.policy.js';
export { McpRequestTransport, type McpRequestTransportOptions } from './request.transport.js';
export type { SessionChangeListener } from './session.handlers.js';
export {
  acceptsEventStream,
  compareStreamEventIds,
  elicitationCompleteNotification,
  isStreamEventId,
  logOfStreamEventId,
  McpSessionStreams,
  streamPositionsOf,
  toolListChangedNotification,
  type McpSessionStreamsOptions,
  type SessionStreamTarget,
  type StreamEvent,
} from './session.streams.js';
export { defineTool, ToolError, type ToolCall, type ToolDefinition, type ToolSpec } from './tool.definition.js';
export {
  qualifiedToolName,
  resolveExposure,
  TOOLKIT_CATALOG,
  TOOLKITS,
  toolVersionEntries,
  unknownSelections,
  type Exposure,
  type ToolkitCatalogEntry,
  type ToolSelection,
} from './toolkit.catalog.js';
export {
  definePrompt,
  type PromptDefinition,
  type PromptSpec,
  type ResourceDefinition,
  type ResourceTemplateDefinition,
  type ToolkitDefinition,
} from './toolkit.definition.js';
export { providerToolkitDefinition } from './provider-tools.js';
export type { ProviderToolRunner } from './tool-call.context.js';
