export interface Deadline {
  /** Aborts after the time, or when any of the followed signals aborts (with that signal's reason). */
  readonly signal: AbortSignal;
  /** Whether it was the time that ran out. */
  expired(): boolean;
  /** Stops the timer and stops following: call it when the work is done, however it ended. */
  release(): void;
}

/**
 * A signal that aborts after `ms` or when one of `signals` does, whichever is first. Unlike
 * `AbortSignal.any([signal, AbortSignal.timeout(ms)])` its timer ends with the work: `AbortSignal.timeout` keeps its
 * timer (and every signal built on it) alive until it fires, and then builds a `TimeoutError` with a stack trace
 * for a signal nobody listens to any more — twice per tool call, long after the call answered.
 */
export function deadline(ms: number, ...signals: ReadonlyArray<AbortSignal | undefined>): Deadline {
  const controller = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
  }, ms);
  timer.unref();
  const unfollow: Array<() => void> = [];
  for (const followed of signals) {
    if (!followed) continue;
    if (followed.aborted) {
      controller.abort(followed.reason);
      break;
    }
    const abort = () => controller.abort(followed.reason);
    followed.addEventListener('abort', abort, { once: true });
    unfollow.push(() => followed.removeEventListener('abort', abort));
  }
  return {
    signal: controller.signal,
    expired: () => expired,
    release: () => {
      clearTimeout(timer);
      for (const stop of unfollow.splice(0)) stop();
    },
  };
}
