import type { Database } from '@gatehouse/db';
import { endpointUrl, McpEndpointDirectory, resourceMetadataUrl } from './endpoints.js';

describe('MCP endpoint addresses', () => {
  it('builds the endpoint URL and its RFC 9728 path-inserted metadata URL', () => {
    expect(endpointUrl('https://gh.example', 'acme', 'main')).toBe('https://gh.example/t/acme/mcp/main');
    expect(resourceMetadataUrl('https://gh.example', 'acme', 'main')).toBe(
      'https://gh.example/.well-known/oauth-protected-resource/t/acme/mcp/main',
    );
    // Behind a path prefix the well-known segment still goes first, before the whole path.
    expect(resourceMetadataUrl('https://gh.example/gatehouse', 'acme', 'main')).toBe(
      'https://gh.example/.well-known/oauth-protected-resource/gatehouse/t/acme/mcp/main',
    );
  });

  it('resolves only exact endpoint URLs as resource indicators, without touching the database otherwise', async () => {
    // Any lookup would throw: these are refused on their shape alone.
    const directory = new McpEndpointDirectory({} as Database, 'https://gh.example');
    for (const resource of [
      'https://evil.example/t/acme/mcp/main',
      'https://gh.example/t/acme/mcp/main/',
      'https://gh.example/t/acme/mcp/main?x=1',
      'https://gh.example/t/acme/mcp/main#frag',
      'https://gh.example/t/ACME/mcp/main',
      'https://gh.example/t/acme/mcp',
      'https://gh.example.evil/t/acme/mcp/main',
    ]) {
      await expect(directory.resolve(resource)).resolves.toBeUndefined();
    }
  });
});
