import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';

export const testElicitation = defineTool({
  name: 'test_elicitation',
  description: 'Asks the user for a username and an email (elicitation/create) and returns the answer',
  input: z.object({ message: z.string().describe('The message to show the user') }),
  handler: async ({ message }, call) => {
    const result = await call.elicit({
      message,
      requestedSchema: {
        type: 'object',
        properties: {
          username: { type: 'string', description: "User's response" },
          email: { type: 'string', description: "User's email address" },
        },
        required: ['username', 'email'],
      },
    });
    return {
      content: [
        {
          type: 'text',
          text: `User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`,
        },
      ],
    };
  },
});
