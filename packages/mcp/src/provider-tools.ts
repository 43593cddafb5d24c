import { ToolFailure, type ProviderToolkit } from '@gatehouse/tools';
import { ToolError, type ToolDefinition } from './tool.definition.js';
import type { ToolkitDefinition } from './toolkit.definition.js';

/**
 * A provider toolkit as MCP tools: listed with their input and output schemas and annotations; a call validates its
 * arguments here (a bad call never reaches the queue) and hands the rest to the request's provider-tool runner.
 */
export function providerToolkitDefinition(toolkit: ProviderToolkit): ToolkitDefinition {
  return {
    name: toolkit.name,
    title: toolkit.title,
    description: toolkit.description,
    tools: toolkit.tools.map((tool): ToolDefinition => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: tool.inputSchema,
      outputSchema: tool.outputSchema,
      version: tool.version,
      provider: tool.provider,
      scopes: tool.scopes,
      annotations: { ...tool.annotations, ...(tool.title !== undefined ? { title: tool.title } : {}) },
      async run(args, call) {
        let parsed: Record<string, unknown>;
        try {
          parsed = tool.parse(args);
        } catch (error) {
          if (error instanceof ToolFailure) throw new ToolError(error.code, error.message);
          throw error;
        }
        return call.runProviderTool(tool, parsed);
      },
    })),
  };
}
