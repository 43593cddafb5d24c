import * as z from 'zod';

/** MCP tool annotations (hints to clients; Gatehouse also uses them to decide what may be retried). */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

/** An answer of the provider's API, already parsed. */
export interface ProviderResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
}

/**
 * The provider's API as the calling person: every request carries *their* token for the tool's provider (never
 * the MCP access token), goes only to the provider's API base, and is SSRF-guarded. Non-2xx answers throw
 * `ProviderApiError`, which the runtime turns into the right outcome (401 → reconnect, 403 → missing scope, 429 →
 * retry later, 5xx → provider trouble).
 */
export interface ProviderApi {
  request(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    options?: { query?: Record<string, string | number | boolean | undefined>; json?: unknown },
  ): Promise<ProviderResponse>;
}

export interface ProviderToolContext {
  readonly api: ProviderApi;
  readonly signal: AbortSignal;
  /** Reports progress of a long call to the client (notifications/progress), when it asked for it. */
  readonly progress: (progress: number, total?: number, message?: string) => Promise<void>;
}

/** What a provider's refusal (HTTP 403) says of its cause, beyond its status and code. */
export interface ProviderRefusal {
  /**
   * The token lacks a scope the request needs, by the provider's own account (RFC 6750 `insufficient_scope`, Google's
   * `insufficientPermissions`, Slack's `missing_scope`, GitHub's accepted scopes none of which the token has).
   */
  readonly scopeRefused?: boolean;
  /** GitHub: the organisation requires SAML single sign-on for this token; where the person authorizes it. */
  readonly singleSignOnUrl?: string;
}

/** A provider answered with a non-2xx status. */
export class ProviderApiError extends Error {
  constructor(
    readonly status: number,
    /** The provider's error code, if its body had a short one; never the body itself. */
    readonly providerCode: string | undefined,
    readonly retryAfterSeconds: number | undefined,
    readonly refusal: ProviderRefusal = {},
  ) {
    super(`the provider answered HTTP ${status}${providerCode ? ` (${providerCode})` : ''}`);
    this.name = 'ProviderApiError';
  }
}

/** A failure the tool explains itself (bad input the schema could not catch, a missing object, …). */
export class ToolFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ToolFailure';
  }
}

export interface ProviderToolSpec<Input extends z.ZodObject, Output extends z.ZodType> {
  /** `toolkit.tool`, e.g. `demo.create_note`: the stable name clients call. */
  readonly name: string;
  /** Bumped when input, output or behaviour change incompatibly; recorded with every call. */
  readonly version: string;
  readonly title?: string;
  readonly description: string;
  readonly input: Input;
  readonly output: Output;
  readonly annotations: ToolAnnotations;
  /** Catalog id of the provider whose token the tool uses. */
  readonly provider: string;
  /** Scopes the person must have granted at the provider. */
  readonly scopes: readonly string[];
  /** Deadline of one run of the handler. */
  readonly timeoutMs?: number;
  readonly handler: (input: z.output<Input>, context: ProviderToolContext) => Promise<z.input<Output>>;
}

/** A provider tool with its types erased, so tools of any shape fit one list. */
export interface ProviderTool {
  readonly name: string;
  readonly version: string;
  readonly title?: string | undefined;
  readonly description: string;
  readonly annotations: ToolAnnotations;
  readonly provider: string;
  readonly scopes: readonly string[];
  readonly timeoutMs: number;
  /** JSON Schema 2020-12 of the arguments and of the structured result (`tools/list`). */
  readonly inputSchema: { type: 'object'; [key: string]: unknown };
  readonly outputSchema: { type: 'object'; [key: string]: unknown };
  /** Whether a failed run may be run again: only tools that say they are read-only or idempotent. */
  readonly retryable: boolean;
  /** Validates arguments; throws ToolFailure `invalid_arguments` naming what is wrong. */
  parse(args: unknown): Record<string, unknown>;
  /** Runs the handler on already-parsed arguments and validates its result against the output schema. */
  run(args: Record<string, unknown>, context: ProviderToolContext): Promise<Record<string, unknown>>;
}

function objectSchema(schema: z.ZodType, io: 'input' | 'output'): { type: 'object'; [key: string]: unknown } {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io });
  if (json.type !== 'object') throw new Error('tool input and output must be JSON Schema objects');
  return { ...json, type: 'object' };
}

export function defineProviderTool<Input extends z.ZodObject, Output extends z.ZodObject>(
  spec: ProviderToolSpec<Input, Output>,
): ProviderTool {
  if (!/^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$/.test(spec.name)) throw new Error(`bad tool name ${spec.name}`);
  return {
    name: spec.name,
    version: spec.version,
    title: spec.title,
    description: spec.description,
    annotations: spec.annotations,
    provider: spec.provider,
    scopes: spec.scopes,
    timeoutMs: spec.timeoutMs ?? 30_000,
    inputSchema: objectSchema(spec.input, 'input'),
    outputSchema: objectSchema(spec.output, 'output'),
    retryable: spec.annotations.readOnlyHint === true || spec.annotations.idempotentHint === true,
    parse(args) {
      const parsed = spec.input.safeParse(args ?? {});
      if (!parsed.success) {
        throw new ToolFailure(
          'invalid_arguments',
          `Invalid arguments for ${spec.name}: ${z.prettifyError(parsed.error)}`,
        );
      }
      return parsed.data;
    },
    async run(args, context) {
      const result = await spec.handler(args as z.output<Input>, context);
      return spec.output.parse(result);
    },
  };
}

export interface ProviderToolkit {
  /** Lower-case; every tool's name starts with `<name>.`. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly provider: string;
  /** Where the provider's API lives, from the tenant's app settings (the demo provider) or fixed. */
  apiBaseUrl(settings: Readonly<Record<string, string>>): string;
  /** Headers every request to the API carries (GitHub's media type, API version and User-Agent). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly tools: readonly ProviderTool[];
}
