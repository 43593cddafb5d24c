export {
  McpServerService,
  RegistryError,
  serverRevision,
  type McpServerChange,
  type McpServerChangeListener,
  type McpServerInput,
  type McpServerUpdate,
} from './mcp-servers.service.js';
export { endpointUrl, McpEndpointDirectory, resourceMetadataUrl, type McpEndpoint } from './endpoints.js';
