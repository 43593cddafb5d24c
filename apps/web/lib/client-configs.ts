/**
 * Ready-to-paste MCP client configurations for one endpoint. Each client does the MCP OAuth flow itself on the
 * first call (the endpoint answers 401 with its resource metadata), so only the URL is configured.
 */
export interface ClientConfig {
  id: string;
  client: string;
  file: string;
  text: string;
}

export function clientConfigs(name: string, endpoint: string): ClientConfig[] {
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  return [
    {
      id: 'claude',
      client: 'Claude Desktop',
      file: 'claude_desktop_config.json (or Settings → Connectors → Add custom connector with the URL)',
      text: json({ mcpServers: { [name]: { command: 'npx', args: ['-y', 'mcp-remote', endpoint] } } }),
    },
    {
      id: 'cursor',
      client: 'Cursor',
      file: '~/.cursor/mcp.json or .cursor/mcp.json in the project',
      text: json({ mcpServers: { [name]: { url: endpoint } } }),
    },
    {
      id: 'vscode',
      client: 'VS Code',
      file: '.vscode/mcp.json in the workspace',
      text: json({ servers: { [name]: { type: 'http', url: endpoint } } }),
    },
  ];
}

/** `toolkit.tool`, as server selections name tools; provider tools' names already have that form. */
export function qualifiedToolName(toolkit: string, tool: string): string {
  return tool.startsWith(`${toolkit}.`) ? tool : `${toolkit}.${tool}`;
}
