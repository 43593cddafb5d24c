import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';

export const testSampling = defineTool({
  name: 'test_sampling',
  description: "Asks the client's model to answer a prompt (sampling/createMessage) and returns its answer",
  input: z.object({ prompt: z.string().describe('The prompt to send to the LLM') }),
  handler: async ({ prompt }, call) => {
    const result = await call.sample({
      messages: [{ role: 'user', content: { type: 'text', text: prompt } }],
      maxTokens: 100,
    });
    const answer = result.content.type === 'text' ? result.content.text : `[${result.content.type} content]`;
    return { content: [{ type: 'text', text: `LLM response: ${answer}` }] };
  },
});
