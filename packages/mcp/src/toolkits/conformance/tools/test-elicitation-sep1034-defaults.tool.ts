import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';

/** SEP-1034: every primitive field of an elicitation form may carry a default. */
export const testElicitationSep1034Defaults = defineTool({
  name: 'test_elicitation_sep1034_defaults',
  description: 'Elicits a form whose string, integer, number, enum and boolean fields all have defaults (SEP-1034)',
  input: z.object({}),
  handler: async (_input, call) => {
    const result = await call.elicit({
      message: 'Please review and update the form fields with defaults',
      requestedSchema: {
        type: 'object',
        properties: {
          name: { type: 'string', description: 'User name', default: 'John Doe' },
          age: { type: 'integer', description: 'User age', default: 30 },
          score: { type: 'number', description: 'User score', default: 95.5 },
          status: {
            type: 'string',
            description: 'User status',
            enum: ['active', 'inactive', 'pending'],
            default: 'active',
          },
          verified: { type: 'boolean', description: 'Verification status', default: true },
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
