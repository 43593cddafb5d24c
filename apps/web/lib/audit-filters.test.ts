import { apiAuditQuery, auditFiltersOf, pageQuery } from './audit-filters.js';
import { safeNext } from './paths.js';

describe('audit filters', () => {
  const filters = auditFiltersOf({
    actor: '6b1f8c1e-0000-4000-8000-000000000001',
    tool: 'demo.list_notes',
    client: 'https://client.example/metadata.json',
    outcome: 'denied',
    from: '2026-11-01T08:30',
    to: '',
    action: ['tool.call', 'ignored'],
  });

  it('turns the form’s values into the api’s query, datetime-local read as UTC', () => {
    expect(Object.fromEntries(apiAuditQuery(filters, { limit: '50' }))).toEqual({
      actorId: '6b1f8c1e-0000-4000-8000-000000000001',
      tool: 'demo.list_notes',
      client: 'https://client.example/metadata.json',
      action: 'tool.call',
      outcome: 'denied',
      from: '2026-11-01T08:30:00.000Z',
      limit: '50',
    });
  });

  it('keeps the filters in the console’s own links, with the cursor', () => {
    expect(pageQuery(filters, { before: '42' })).toBe(
      '?actor=6b1f8c1e-0000-4000-8000-000000000001&tool=demo.list_notes&client=https%3A%2F%2Fclient.example%2Fmetadata.json&action=tool.call&outcome=denied&from=2026-11-01T08%3A30&before=42',
    );
    expect(pageQuery({})).toBe('');
  });
});

describe('safeNext', () => {
  it('returns only paths of the console', () => {
    expect(safeNext('/t/acme/audit?x=1')).toBe('/t/acme/audit?x=1');
    expect(safeNext('//evil.example/x')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    // Browsers drop tabs and newlines from URLs: each of these is //evil.example to them.
    for (const hidden of ['/\t/evil.example/x', '/\n/evil.example', '/\r\n/evil.example', '\t//evil.example'])
      expect(safeNext(hidden)).toBe('/');
    expect(safeNext('/t/acme/members#invite')).toBe('/t/acme/members#invite');
    expect(safeNext(undefined)).toBe('/');
  });
});
