import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';

export const testSimpleText = defineTool({
  name: 'test_simple_text',
  description: 'Returns a single text content block',
  input: z.object({}),
  annotations: { readOnlyHint: true },
  handler: async () => ({ content: [{ type: 'text', text: 'This is a simple text response for testing.' }] }),
});
