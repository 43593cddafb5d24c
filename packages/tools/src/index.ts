export {
  defineProviderTool,
  ProviderApiError,
  ToolFailure,
  type ProviderApi,
  type ProviderResponse,
  type ProviderTool,
  type ProviderToolContext,
  type ProviderToolkit,
  type ProviderToolSpec,
  type ToolAnnotations,
} from './provider-tool.js';
export { demoToolkit } from './toolkits/demo.toolkit.js';
export { PROVIDER_TOOLKITS, findProviderTool } from './catalog.js';
