import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';
import { sleep } from '../conformance.fixtures.js';

export const testToolWithProgress = defineTool({
  name: 'test_tool_with_progress',
  description: 'Reports progress 0, 50 and 100 of 100 when the call carries a progress token',
  input: z.object({}),
  annotations: { readOnlyHint: true },
  handler: async (_input, call) => {
    for (const [index, progress] of [0, 50, 100].entries()) {
      if (index > 0) await sleep(50, call.signal);
      await call.progress(progress, 100, `Completed step ${progress} of 100`);
    }
    return { content: [{ type: 'text', text: `Progress reported for token ${String(call.progressToken ?? 'none')}` }] };
  },
});
