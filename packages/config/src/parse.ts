import type { z } from 'zod';

/** Thrown when the environment does not satisfy an app's schema. `message` is one line naming the variables. */
export class ConfigError extends Error {
  readonly variables: readonly string[];

  constructor(problems: readonly { variable: string; problem: string }[]) {
    super(`invalid configuration: ${problems.map((p) => `${p.variable} ${p.problem}`).join('; ')}`);
    this.name = 'ConfigError';
    this.variables = problems.map((p) => p.variable);
  }
}

export type Environment = Readonly<Record<string, string | undefined>>;

function describe(issue: z.core.$ZodIssue, env: Environment): string {
  const variable = String(issue.path[0] ?? '');
  if (env[variable] === undefined || env[variable] === '') return 'is required but not set';
  // Never echo the value: it may be a secret.
  return `is malformed (${issue.message})`;
}

/**
 * Parses the environment once at boot. Empty strings count as unset so `FOO=` in a .env file does not
 * silently turn into an empty secret.
 */
export function parseConfig<S extends z.ZodObject>(schema: S, env: Environment): z.infer<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') cleaned[key] = value;
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const seen = new Set<string>();
  const problems = [];
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? '(root)');
    if (seen.has(variable)) continue;
    seen.add(variable);
    problems.push({ variable, problem: describe(issue, env) });
  }
  throw new ConfigError(problems);
}

/** Parses this process's environment. The one place outside tests that reads `process.env`. */
export function parseEnvironment<S extends z.ZodObject>(schema: S): z.infer<S> {
  return parseConfig(schema, process.env);
}

/**
 * Boot helper for processes: parse, or print one clear line and exit non-zero.
 * Apps call this exactly once, first thing in main().
 */
export function loadConfigOrExit<S extends z.ZodObject>(schema: S, app: string): z.infer<S> {
  try {
    return parseEnvironment(schema);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${app}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
