import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';

export const testEmbeddedResource = defineTool({
  name: 'test_embedded_resource',
  description: 'Returns an embedded text resource',
  input: z.object({}),
  annotations: { readOnlyHint: true },
  handler: async () => ({
    content: [
      {
        type: 'resource',
        resource: {
          uri: 'test://embedded-resource',
          mimeType: 'text/plain',
          text: 'This is an embedded resource content.',
        },
      },
    ],
  }),
});
