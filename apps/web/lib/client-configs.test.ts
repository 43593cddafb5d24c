import { clientConfigs, qualifiedToolName } from './client-configs.js';

describe('client configurations', () => {
  const endpoint = 'https://gatehouse.example/t/acme/mcp/notes';

  it('gives each client the endpoint in the shape its configuration file expects', () => {
    const byId = Object.fromEntries(
      clientConfigs('gatehouse-acme-notes', endpoint).map((config) => [config.id, JSON.parse(config.text) as unknown]),
    );
    expect(byId.claude).toEqual({
      mcpServers: { 'gatehouse-acme-notes': { command: 'npx', args: ['-y', 'mcp-remote', endpoint] } },
    });
    expect(byId.cursor).toEqual({ mcpServers: { 'gatehouse-acme-notes': { url: endpoint } } });
    expect(byId.vscode).toEqual({ servers: { 'gatehouse-acme-notes': { type: 'http', url: endpoint } } });
  });

  it('qualifies bare tool names with their toolkit once', () => {
    expect(qualifiedToolName('conformance', 'test_simple_text')).toBe('conformance.test_simple_text');
    expect(qualifiedToolName('demo', 'demo.list_notes')).toBe('demo.list_notes');
  });
});
