import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';
import { RED_PIXEL_PNG_BASE64 } from '../conformance.fixtures.js';

export const testMultipleContentTypes = defineTool({
  name: 'test_multiple_content_types',
  description: 'Returns text, image and embedded resource content in one result',
  input: z.object({}),
  annotations: { readOnlyHint: true },
  handler: async () => ({
    content: [
      { type: 'text', text: 'Multiple content types test:' },
      { type: 'image', data: RED_PIXEL_PNG_BASE64, mimeType: 'image/png' },
      {
        type: 'resource',
        resource: {
          uri: 'test://mixed-content-resource',
          mimeType: 'application/json',
          text: JSON.stringify({ test: 'data', value: 123 }),
        },
      },
    ],
  }),
});
