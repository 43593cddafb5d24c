import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';
import { RED_PIXEL_PNG_BASE64 } from '../conformance.fixtures.js';

export const testImageContent = defineTool({
  name: 'test_image_content',
  description: 'Returns an image content block (a 1×1 PNG)',
  input: z.object({}),
  annotations: { readOnlyHint: true },
  handler: async () => ({ content: [{ type: 'image', data: RED_PIXEL_PNG_BASE64, mimeType: 'image/png' }] }),
});
