export { AuditLog, type AuditLogOptions } from './audit-log.js';
export {
  canonicalJson,
  hashEvent,
  link,
  verifyChain,
  type BrokenLinkReason,
  type Checkpoint,
  type VerifyReport,
} from './chain.js';
export {
  GENESIS_HASH,
  PLATFORM_CHAIN,
  type ActorType,
  type AuditEvent,
  type AuditEventInput,
  type ChainHead,
  type JsonObject,
  type JsonValue,
  type Outcome,
} from './event.js';
export { exportEvents, formatEvent, type ExportFormat } from './export.js';
export { redactMetadata } from './redact.js';
export type { AuditFilter, AuditPage, AuditStore } from './store.js';
export {
  ARGUMENTS_DIGEST_SECRET,
  argumentsDigester,
  canonicalDigest,
  toolCallEvent,
  type ArgumentsDigest,
  type ToolCallRecord,
  type ToolCallResultName,
} from './tool-call.js';
