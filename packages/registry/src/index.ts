export { McpServerService, RegistryError, type McpServerInput, type McpServerUpdate } from './mcp-servers.service.js';
export { isKnownToolkit, TOOLKITS, type ToolkitName } from './toolkits.js';
export { endpointUrl, McpEndpointDirectory, resourceMetadataUrl, type McpEndpoint } from './endpoints.js';
