export const MCP_RELAY = Symbol('MCP_RELAY');
