import type {
  CallToolResult,
  CreateMessageRequestParamsBase,
  CreateMessageResult,
  ElicitRequestFormParams,
  ElicitResult,
  LoggingLevel,
  ProgressToken,
  Tool,
  ToolAnnotations,
} from '@modelcontextprotocol/sdk/types.js';
import type { ProviderTool } from '@gatehouse/tools';
import * as z from 'zod';

/** What a running tool may do besides returning: talk back to the client on this call's response stream. */
export interface ToolCall {
  readonly signal: AbortSignal;
  readonly sessionId: string | undefined;
  readonly progressToken: ProgressToken | undefined;
  /** `notifications/message`, dropped when below the level the client set with `logging/setLevel`. */
  log(level: LoggingLevel, data: unknown): Promise<void>;
  /** `notifications/progress`; a no-op when the client sent no progress token. */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** `sampling/createMessage`; ToolError `sampling_unsupported` when the client did not declare sampling. */
  sample(params: CreateMessageRequestParamsBase): Promise<CreateMessageResult>;
  /** Form `elicitation/create`; the SDK checks the client's capability and validates accepted content. */
  elicit(params: Omit<ElicitRequestFormParams, 'mode'>): Promise<ElicitResult>;
  /** Ends this call's SSE stream early (SEP-1699 polling); false when the transport cannot resume streams. */
  closeStream(): boolean;
  /** The JSON-RPC id of this `tools/call` (with the session, the call's idempotency key). */
  readonly requestId: string | number;
  /** Whether the client declared URL-mode elicitation (`elicitation.url`). */
  supportsUrlElicitation(): boolean;
  /**
   * Runs a provider tool as the calling person (in the worker, through the queue); given by the api. Absent, such
   * tools answer that they are unavailable here.
   */
  runProviderTool(tool: ProviderTool, args: Record<string, unknown>): Promise<CallToolResult>;
}

/** A failure the caller should read: its message becomes the `isError` result; anything else is hidden. */
export class ToolError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface ToolSpec<Input extends z.ZodObject> {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  /** Validates `arguments`; its JSON Schema (2020-12) is what `tools/list` advertises. */
  readonly input: Input;
  /** Sub-schemas to advertise once under `$defs` and reference with `$ref` (keyed by their `id`). */
  readonly definitions?: z.core.$ZodRegistry<{ id: string }>;
  readonly annotations?: ToolAnnotations;
  readonly handler: (input: z.output<Input>, call: ToolCall) => Promise<CallToolResult>;
}

/** A tool with its input type erased, so tools of any input fit one list. */
export interface ToolDefinition {
  readonly name: string;
  readonly title?: string | undefined;
  readonly description: string;
  readonly inputSchema: Tool['inputSchema'];
  readonly outputSchema?: Tool['outputSchema'] | undefined;
  readonly annotations?: ToolAnnotations | undefined;
  /** Recorded with every call; tools without one are version "1". */
  readonly version?: string | undefined;
  /** The provider whose connection the tool uses, and the scopes it needs (provider tools only). */
  readonly provider?: string | undefined;
  readonly scopes?: readonly string[] | undefined;
  /** Validates `args` (ToolError `invalid_arguments`) and runs the handler. */
  run(args: unknown, call: ToolCall): Promise<CallToolResult>;
}

export function defineTool<Input extends z.ZodObject>(spec: ToolSpec<Input>): ToolDefinition {
  const inputSchema = toInputSchema(spec.input, spec.definitions);
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema,
    annotations: spec.annotations,
    async run(args, call) {
      const parsed = spec.input.safeParse(args ?? {});
      if (!parsed.success) {
        throw new ToolError(
          'invalid_arguments',
          `Invalid arguments for ${spec.name}: ${z.prettifyError(parsed.error)}`,
        );
      }
      return spec.handler(parsed.data, call);
    },
  };
}

/** Computed once per definition: `tools/list` runs on every fresh server. */
function toInputSchema(input: z.ZodObject, definitions?: z.core.$ZodRegistry<{ id: string }>): Tool['inputSchema'] {
  const schema = z.toJSONSchema(input, {
    target: 'draft-2020-12',
    io: 'input',
    ...(definitions ? { metadata: definitions } : {}),
  });
  if (schema.type !== 'object') throw new Error('A tool input must be a JSON Schema object');
  // Own enumerable keys only: the result also carries zod's non-enumerable `~standard` marker.
  return { ...schema, type: 'object' } as Tool['inputSchema'];
}
