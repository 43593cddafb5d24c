export {
  ToolCallLimiter,
  type LimitDecision,
  type LimitName,
  type ToolCallKey,
  type ToolCallLimits,
} from './tool-call-limiter.js';
export { ProviderCircuitBreaker, type CircuitBreakerOptions, type CircuitState } from './circuit-breaker.js';
