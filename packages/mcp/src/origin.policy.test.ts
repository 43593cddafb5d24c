import { checkOrigin } from './origin.policy.js';

const policy = { allowedHosts: ['mcp.example.com', 'localhost:3000'], allowedOrigins: ['https://console.example.com'] };

describe('checkOrigin', () => {
  it('accepts the endpoint host, with or without an allowed browser origin', () => {
    expect(checkOrigin(policy, { host: 'MCP.example.com' })).toBeUndefined();
    expect(checkOrigin(policy, { host: 'localhost:3000', origin: 'https://console.example.com' })).toBeUndefined();
  });

  it('refuses a rebound host name or a foreign page', () => {
    expect(checkOrigin(policy, { host: 'evil.example.com' })).toBe('Host not allowed: evil.example.com');
    expect(checkOrigin(policy, { host: 'localhost:3001' })).toBeDefined();
    expect(checkOrigin(policy, {})).toBe('Host not allowed: (none)');
    expect(checkOrigin(policy, { host: 'mcp.example.com', origin: 'http://evil.example.com' })).toBe(
      'Origin not allowed: http://evil.example.com',
    );
  });
});
