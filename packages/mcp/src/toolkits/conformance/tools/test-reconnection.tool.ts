import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';
import { sleep } from '../conformance.fixtures.js';

export const testReconnection = defineTool({
  name: 'test_reconnection',
  description:
    'Closes its SSE stream mid-call when the transport can resume streams (SEP-1699), then answers; ' +
    'otherwise answers on the open stream',
  input: z.object({}),
  annotations: { readOnlyHint: true },
  handler: async (_input, call) => {
    const closed = call.closeStream();
    await sleep(100, call.signal);
    return {
      content: [
        {
          type: 'text',
          text: closed
            ? 'Reconnection test completed: the stream was closed mid-call and the result replayed.'
            : 'Reconnection test completed on the original stream (this transport does not resume streams).',
        },
      ],
    };
  },
});
