import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';

/** SEP-1330: the five enum shapes of an elicitation form, single and multi select, with and without titles. */
export const testElicitationSep1330Enums = defineTool({
  name: 'test_elicitation_sep1330_enums',
  description: 'Elicits a form with untitled, titled, legacy (enumNames) and multi-select enum fields (SEP-1330)',
  input: z.object({}),
  handler: async (_input, call) => {
    const result = await call.elicit({
      message: 'Please select options from the enum fields',
      requestedSchema: {
        type: 'object',
        properties: {
          untitledSingle: {
            type: 'string',
            description: 'Select one option',
            enum: ['option1', 'option2', 'option3'],
          },
          titledSingle: {
            type: 'string',
            description: 'Select one option with titles',
            oneOf: [
              { const: 'value1', title: 'First Option' },
              { const: 'value2', title: 'Second Option' },
              { const: 'value3', title: 'Third Option' },
            ],
          },
          legacyEnum: {
            type: 'string',
            description: 'Select one option (legacy)',
            enum: ['opt1', 'opt2', 'opt3'],
            enumNames: ['Option One', 'Option Two', 'Option Three'],
          },
          untitledMulti: {
            type: 'array',
            description: 'Select multiple options',
            minItems: 1,
            maxItems: 3,
            items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
          },
          titledMulti: {
            type: 'array',
            description: 'Select multiple options with titles',
            minItems: 1,
            maxItems: 3,
            items: {
              anyOf: [
                { const: 'value1', title: 'First Choice' },
                { const: 'value2', title: 'Second Choice' },
                { const: 'value3', title: 'Third Choice' },
              ],
            },
          },
        },
        required: [],
      },
    });
    return {
      content: [
        {
          type: 'text',
          text: `Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`,
        },
      ],
    };
  },
});
