export { McpServerService, RegistryError, type McpServerInput, type McpServerUpdate } from './mcp-servers.service.js';
export { isKnownToolkit, TOOLKITS, type ToolkitName } from './toolkits.js';
