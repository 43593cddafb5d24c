import { exposesTool, withheldFor } from '../src/index.js';

describe('exposesTool', () => {
  const server = { toolkits: ['demo'], tools: ['github.list_issues'], adminOnlyTools: ['demo.delete_note'] };

  it('offers the tools of toolkits enabled whole and single tools, nothing else', () => {
    expect(exposesTool(server, 'demo', 'demo.list_notes')).toBe(true);
    expect(exposesTool(server, 'github', 'github.list_issues')).toBe(true);
    expect(exposesTool(server, 'github', 'github.create_issue')).toBe(false);
    expect(exposesTool(server, 'slack', 'slack.post_message')).toBe(false);
  });

  it('withholds admin-only tools from members only', () => {
    for (const role of ['owner', 'admin'])
      expect(
        exposesTool({ ...server, withheld: withheldFor(role, server.adminOnlyTools) }, 'demo', 'demo.delete_note'),
      ).toBe(true);
    const member = { ...server, withheld: withheldFor('member', server.adminOnlyTools) };
    expect(exposesTool(member, 'demo', 'demo.delete_note')).toBe(false);
    expect(exposesTool(member, 'demo', 'demo.list_notes')).toBe(true);
  });
});
