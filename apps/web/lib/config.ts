import { parseEnvironment, webConfigSchema, type WebConfig } from '@gatehouse/config';

let parsed: WebConfig | undefined;

/** The console's server-side configuration, parsed once per process on first use. */
export function webConfig(): WebConfig {
  parsed ??= parseEnvironment(webConfigSchema);
  return parsed;
}
