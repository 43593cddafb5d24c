export { ConfigError, loadConfigOrExit, parseConfig, parseEnvironment, type Environment } from './parse.js';
export { httpUrl, postgresUrl, redisUrl, port, urlWith } from './fields.js';
export {
  apiConfigSchema,
  webConfigSchema,
  vaultCommandConfigSchema,
  toolsCommandConfigSchema,
  workerConfigSchema,
  type ApiConfig,
  type VaultCommandConfig,
  type ToolsCommandConfig,
  type WebConfig,
  type WorkerConfig,
} from './apps.js';
