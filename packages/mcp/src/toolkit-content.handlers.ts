import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { ToolkitDefinition } from './toolkit.definition.js';

/**
 * Registers the resources, resource templates and prompts of whole-enabled toolkits through the SDK (which then
 * serves list/read/get and `completion/complete`). Returns whether a URI names one of the registered resources,
 * which is what a subscription may point at.
 */
export function registerToolkitContent(server: McpServer, toolkits: readonly ToolkitDefinition[]) {
  const resources = toolkits.flatMap((toolkit) => toolkit.resources ?? []);
  const templates = toolkits.flatMap((toolkit) => toolkit.resourceTemplates ?? []);
  const prompts = toolkits.flatMap((toolkit) => toolkit.prompts ?? []);

  for (const resource of resources) {
    server.registerResource(resource.name, resource.uri, metadataOf(resource), () => ({ contents: resource.read() }));
  }
  for (const template of templates) {
    server.registerResource(
      template.name,
      new ResourceTemplate(template.uriTemplate, { list: undefined }),
      metadataOf(template),
      (uri, variables) => ({ contents: template.read(uri.href, flattenVariables(variables)) }),
    );
  }
  for (const prompt of prompts) prompt.register(server);

  // The SDK announces listChanged, but only tool list changes are sent (on the session's GET stream, by the api):
  // a changed selection of resources or prompts simply shows on the next list request.
  if (resources.length + templates.length > 0) {
    server.server.registerCapabilities({ resources: { subscribe: true, listChanged: false } });
  }
  if (prompts.length > 0) server.server.registerCapabilities({ prompts: { listChanged: false } });

  const fixed = new Set(resources.map((resource) => resource.uri));
  const patterns = templates.map((template) => new UriTemplate(template.uriTemplate));
  return {
    hasResources: resources.length + templates.length > 0,
    isKnownResource: (uri: string) => fixed.has(uri) || patterns.some((pattern) => pattern.match(uri) !== null),
  };
}

function metadataOf(definition: { title?: string; description: string; mimeType: string }) {
  return {
    description: definition.description,
    mimeType: definition.mimeType,
    ...(definition.title !== undefined ? { title: definition.title } : {}),
  };
}

function flattenVariables(variables: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]),
  );
}
