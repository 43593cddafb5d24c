export { McpServerService, RegistryError, type McpServerInput, type McpServerUpdate } from './mcp-servers.service.js';
export { endpointUrl, McpEndpointDirectory, resourceMetadataUrl, type McpEndpoint } from './endpoints.js';
