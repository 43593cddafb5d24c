import { isKnownToolkit, TOOLKITS } from './toolkits.js';

describe('toolkit catalog', () => {
  it('knows the conformance toolkit and nothing it has not shipped', () => {
    expect(TOOLKITS.map((t) => t.name)).toContain('conformance');
    expect(isKnownToolkit('conformance')).toBe(true);
    expect(isKnownToolkit('github')).toBe(false);
  });
});
