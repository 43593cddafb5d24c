import { deadline } from '../src/index.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadline', () => {
  it('aborts with a TimeoutError when the time runs out', async () => {
    const limit = deadline(20);
    await pause(60);
    expect(limit.signal.aborted).toBe(true);
    expect(limit.expired()).toBe(true);
    expect((limit.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('aborts with the reason of a signal it follows, which is not the time running out', () => {
    const outer = new AbortController();
    const limit = deadline(10_000, undefined, outer.signal);
    outer.abort(new Error('cancelled by the client'));
    expect(limit.signal.aborted).toBe(true);
    expect(limit.expired()).toBe(false);
    expect((limit.signal.reason as Error).message).toBe('cancelled by the client');
    limit.release();
    // Already aborted signals are followed too.
    expect(deadline(10_000, outer.signal).signal.aborted).toBe(true);
  });

  it('once released, neither the time nor a followed signal aborts it', async () => {
    const outer = new AbortController();
    const limit = deadline(20, outer.signal);
    limit.release();
    outer.abort();
    await pause(60);
    expect(limit.signal.aborted).toBe(false);
    expect(limit.expired()).toBe(false);
  });
});
