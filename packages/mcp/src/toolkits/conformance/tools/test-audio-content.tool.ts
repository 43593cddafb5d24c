import * as z from 'zod';
import { defineTool } from '../../../tool.definition.js';
import { SILENT_WAV_BASE64 } from '../conformance.fixtures.js';

export const testAudioContent = defineTool({
  name: 'test_audio_content',
  description: 'Returns an audio content block (a minimal WAV)',
  input: z.object({}),
  annotations: { readOnlyHint: true },
  handler: async () => ({ content: [{ type: 'audio', data: SILENT_WAV_BASE64, mimeType: 'audio/wav' }] }),
});
