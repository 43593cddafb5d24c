import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';
import { sleep } from '../conformance.fixtures.js';

export const testToolWithLogging = defineTool({
  name: 'test_tool_with_logging',
  description: 'Sends three info log notifications while it runs',
  input: z.object({}),
  annotations: { readOnlyHint: true },
  handler: async (_input, call) => {
    // The pauses make the client receive the notifications while the call is still open.
    await call.log('info', 'Tool execution started');
    await sleep(50, call.signal);
    await call.log('info', 'Tool processing data');
    await sleep(50, call.signal);
    await call.log('info', 'Tool execution completed');
    return { content: [{ type: 'text', text: 'Tool with logging executed successfully' }] };
  },
});
