import type { ToolkitDefinition } from '../../toolkit.definition.js';
import { conformancePrompts } from './conformance.prompts.js';
import { conformanceResources, conformanceResourceTemplates } from './conformance.resources.js';
import { jsonSchema202012Tool } from './tools/json-schema-2020-12.tool.js';
import { testAudioContent } from './tools/test-audio-content.tool.js';
import { testElicitationSep1034Defaults } from './tools/test-elicitation-sep1034-defaults.tool.js';
import { testElicitationSep1330Enums } from './tools/test-elicitation-sep1330-enums.tool.js';
import { testElicitation } from './tools/test-elicitation.tool.js';
import { testEmbeddedResource } from './tools/test-embedded-resource.tool.js';
import { testErrorHandling } from './tools/test-error-handling.tool.js';
import { testImageContent } from './tools/test-image-content.tool.js';
import { testMultipleContentTypes } from './tools/test-multiple-content-types.tool.js';
import { testReconnection } from './tools/test-reconnection.tool.js';
import { testSampling } from './tools/test-sampling.tool.js';
import { testSimpleText } from './tools/test-simple-text.tool.js';
import { testToolWithLogging } from './tools/test-tool-with-logging.tool.js';
import { testToolWithProgress } from './tools/test-tool-with-progress.tool.js';

/**
 * The fixtures of the official MCP conformance server suite (`@modelcontextprotocol/conformance server`): names and
 * payloads are the suite's, so a Gatehouse endpoint with this toolkit can be tested like the reference server.
 */
export const conformanceToolkit: ToolkitDefinition = {
  name: 'conformance',
  title: 'MCP conformance fixtures',
  description: 'Tools, resources and prompts the official conformance suite expects.',
  tools: [
    testSimpleText,
    testImageContent,
    testAudioContent,
    testEmbeddedResource,
    testMultipleContentTypes,
    testToolWithLogging,
    testToolWithProgress,
    testErrorHandling,
    testReconnection,
    testSampling,
    testElicitation,
    testElicitationSep1034Defaults,
    testElicitationSep1330Enums,
    jsonSchema202012Tool,
  ],
  resources: conformanceResources,
  resourceTemplates: conformanceResourceTemplates,
  prompts: conformancePrompts,
};
