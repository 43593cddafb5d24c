/**
 * What BullMQ writes into its spans about a job's content: the handler's return value (a tool call's whole answer —
 * someone's mail, messages, issues), the message of its failure, and its progress. Traces carry who, what and how
 * long, never that.
 */
const JOB_CONTENT = new Set(['bullmq.job.result', 'bullmq.job.failed.reason', 'bullmq.job.progress']);

type Attributes = Record<string, unknown> | undefined;

function scrubbed(attributes: Attributes): Attributes {
  if (!attributes || typeof attributes !== 'object') return attributes;
  return Object.fromEntries(Object.entries(attributes).filter(([key]) => !JOB_CONTENT.has(key)));
}

/** Forwards everything to `target` except the members `overrides` replaces. */
function overriding<T extends object>(target: T, overrides: (name: PropertyKey, member: unknown) => unknown): T {
  return new Proxy(target, {
    get(object, name) {
      const member: unknown = Reflect.get(object, name, object);
      const replaced = overrides(name, member);
      if (replaced !== undefined) return replaced;
      return typeof member === 'function' ? (member as (...args: unknown[]) => unknown).bind(object) : member;
    },
  });
}

function withoutContentSpan<S extends object>(span: S): S {
  const proxy: S = overriding(span, (name, member) => {
    const call = member as (...args: unknown[]) => unknown;
    if (name === 'addEvent')
      return (event: string, attributes?: Attributes, ...rest: unknown[]) =>
        call.call(span, event, scrubbed(attributes), ...rest);
    if (name === 'setAttributes') return (attributes: Attributes) => (call.call(span, scrubbed(attributes)), proxy);
    if (name === 'setAttribute')
      return (key: string, value: unknown) => (JOB_CONTENT.has(key) ? proxy : (call.call(span, key, value), proxy));
    return undefined;
  });
  return proxy;
}

/**
 * BullMQ telemetry (bullmq-otel's `BullMQOtel`, or anything with its `tracer`) whose spans never record a job's
 * content (`JOB_CONTENT`): the spans, their names, ids and timing stay as they were.
 */
export function withoutJobContent<T extends { tracer: object }>(telemetry: T): T {
  const tracer = overriding(telemetry.tracer, (name, member) =>
    name === 'startSpan'
      ? (...args: unknown[]) => {
          const span = (member as (...spanArgs: unknown[]) => unknown).apply(telemetry.tracer, args);
          return span && typeof span === 'object' ? withoutContentSpan(span) : span;
        }
      : undefined,
  );
  return overriding(telemetry, (name) => (name === 'tracer' ? tracer : undefined));
}
