export {
  defineProviderTool,
  ProviderApiError,
  ToolFailure,
  type ProviderApi,
  type ProviderRefusal,
  type ProviderResponse,
  type ProviderTool,
  type ProviderToolContext,
  type ProviderToolkit,
  type ProviderToolSpec,
  type ToolAnnotations,
} from './provider-tool.js';
export { demoToolkit } from './toolkits/demo.toolkit.js';
export { githubToolkit } from './toolkits/github.toolkit.js';
export { slackToolkit } from './toolkits/slack.toolkit.js';
export { gmailToolkit, googleCalendarToolkit } from './toolkits/google.toolkits.js';
export { PROVIDER_TOOLKITS, findProviderTool } from './catalog.js';
export { exposesTool, withheldFor, type ServerTools } from './exposure.js';
export { PROVIDER_RESPONSE_MAX_BYTES, providerApi } from './provider-api.js';
