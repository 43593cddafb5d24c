import * as z from 'zod';
import { defineTool, ToolError } from '../../../tool.definition.js';

export const testErrorHandling = defineTool({
  name: 'test_error_handling',
  description: 'Always fails, to show how a tool error reaches the client (isError: true)',
  input: z.object({}),
  annotations: { readOnlyHint: true },
  handler: async () => {
    throw new ToolError('intentional_failure', 'This tool intentionally returns an error for testing');
  },
});
