import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import type * as z from 'zod';
import type { ToolDefinition } from './tool.definition.js';

/** A resource at a fixed URI. */
export interface ResourceDefinition {
  readonly name: string;
  readonly uri: string;
  readonly title?: string;
  readonly description: string;
  readonly mimeType: string;
  read(): ReadResourceResult['contents'];
}

/** Resources under an RFC 6570 URI template, e.g. `test://template/{id}/data`. */
export interface ResourceTemplateDefinition {
  readonly name: string;
  readonly uriTemplate: string;
  readonly title?: string;
  readonly description: string;
  readonly mimeType: string;
  read(uri: string, variables: Readonly<Record<string, string>>): ReadResourceResult['contents'];
}

/** A prompt, registered through the SDK so its arguments' completers serve `completion/complete`. */
export interface PromptDefinition {
  readonly name: string;
  register(server: McpServer): void;
}

export interface PromptSpec<Args extends z.ZodRawShape> {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  /** Prompt arguments are strings on the wire; wrap one in the SDK's `completable` to offer completions. */
  readonly args?: Args;
  readonly get: (args: z.output<z.ZodObject<Args>>) => GetPromptResult;
}

export function definePrompt<Args extends z.ZodRawShape>(spec: PromptSpec<Args>): PromptDefinition {
  return {
    name: spec.name,
    register(server) {
      const config = {
        description: spec.description,
        ...(spec.title !== undefined ? { title: spec.title } : {}),
      };
      if (spec.args) {
        server.registerPrompt<z.ZodRawShape>(spec.name, { ...config, argsSchema: spec.args }, (args) =>
          spec.get(args as z.output<z.ZodObject<Args>>),
        );
      } else {
        server.registerPrompt(spec.name, config, () => spec.get({} as z.output<z.ZodObject<Args>>));
      }
    },
  };
}

/**
 * A named set of tools (exposable one by one as `toolkit.tool`) plus resources and prompts, which are exposed only
 * when the whole toolkit is enabled on a server.
 */
export interface ToolkitDefinition {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly tools: readonly ToolDefinition[];
  readonly resources?: readonly ResourceDefinition[];
  readonly resourceTemplates?: readonly ResourceTemplateDefinition[];
  readonly prompts?: readonly PromptDefinition[];
}
