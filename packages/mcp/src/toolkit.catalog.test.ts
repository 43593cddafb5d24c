import { resolveExposure, TOOLKIT_CATALOG, unknownSelections } from './toolkit.catalog.js';

const conformanceTools = TOOLKIT_CATALOG.find((toolkit) => toolkit.name === 'conformance')?.tools ?? [];

function exposedNames(toolkits: string[], tools: string[]) {
  const exposure = resolveExposure({ toolkits, tools });
  return { tools: exposure.tools.map((tool) => tool.name), whole: exposure.wholeToolkits.map((t) => t.name) };
}

describe('toolkit catalog', () => {
  it('lists the conformance fixtures the official suite calls, under spec-conformant tool names', () => {
    expect(conformanceTools).toEqual(
      expect.arrayContaining([
        'test_simple_text',
        'test_image_content',
        'test_audio_content',
        'test_embedded_resource',
        'test_multiple_content_types',
        'test_tool_with_logging',
        'test_tool_with_progress',
        'test_error_handling',
        'test_sampling',
        'test_elicitation',
        'test_elicitation_sep1034_defaults',
        'test_elicitation_sep1330_enums',
        'json_schema_2020_12_tool',
        'test_reconnection',
      ]),
    );
    for (const name of conformanceTools) expect(name).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
  });

  it('withholds tools from a person who may not use them, whether enabled whole or one by one', () => {
    const exposure = resolveExposure({
      toolkits: ['conformance'],
      tools: ['demo.delete_note', 'demo.list_notes'],
      withheld: ['conformance.test_simple_text', 'demo.delete_note'],
    });
    const names = exposure.tools.map((tool) => tool.name);
    expect(names).toContain('test_image_content');
    expect(names).toContain('demo.list_notes');
    expect(names).not.toContain('test_simple_text');
    expect(names).not.toContain('demo.delete_note');
  });

  it('exposes every tool of a toolkit enabled whole, with its resources and prompts', () => {
    expect(exposedNames(['conformance'], [])).toEqual({ tools: conformanceTools, whole: ['conformance'] });
  });

  it('exposes only the single tools selected as toolkit.tool, and no resources or prompts', () => {
    expect(exposedNames([], ['conformance.test_simple_text'])).toEqual({ tools: ['test_simple_text'], whole: [] });
    expect(exposedNames([], ['conformance.test_sampling', 'conformance.test_simple_text'])).toEqual({
      tools: ['test_simple_text', 'test_sampling'],
      whole: [],
    });
  });

  it('lists a tool once when it is selected both whole and by name', () => {
    const { tools } = exposedNames(['conformance'], ['conformance.test_simple_text']);
    expect(tools.filter((name) => name === 'test_simple_text')).toHaveLength(1);
    expect(tools).toHaveLength(conformanceTools.length);
  });

  it('skips what the catalog does not know instead of failing the endpoint', () => {
    expect(exposedNames(['jira'], ['conformance.nope', 'test_simple_text', 'jira.create_issue'])).toEqual({
      tools: [],
      whole: [],
    });
  });

  it('names the unknown entries of a selection so the registry can reject them', () => {
    expect(
      unknownSelections({
        toolkits: ['conformance', 'jira'],
        tools: ['conformance.test_simple_text', 'conformance.nope', 'test_sampling'],
      }),
    ).toEqual(['jira', 'conformance.nope', 'test_sampling']);
    expect(unknownSelections({ toolkits: ['conformance'], tools: ['conformance.test_error_handling'] })).toEqual([]);
  });
});
