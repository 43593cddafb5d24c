import type { Redis } from 'ioredis';

/** The part of a connection's socket this needs (a `net.Socket` or `tls.TLSSocket`). */
interface CorkableStream {
  write: (...args: never[]) => boolean;
  cork(): void;
  uncork(): void;
  readonly destroyed?: boolean;
}

const COALESCED = Symbol('gatehouse.coalescedWrites');

/**
 * Sends every command a connection is given in one event-loop turn in one socket write (the socket is corked on the
 * turn's first command and uncorked in its check phase, as ioredis' auto-pipelining waits for). Unlike
 * auto-pipelining it builds no pipeline per turn, which costs as much as the writes it saves on a connection that
 * carries BullMQ's scripts (ioredis copies each defined script onto every pipeline), and it keeps each command's
 * own reply handling. Each write to a loopback socket wakes the reader on another core, which is a large part of a
 * tool call's cost on a virtual machine (docs/benchmarks.md). Commands still leave in the order they were given.
 *
 * Applies to every socket the connection opens (reconnects included). Not for a connection that blocks (BZPOPMIN,
 * XREAD BLOCK): nothing is held back longer than the current turn, but a blocking connection gains nothing.
 */
export function coalesceWrites<T extends Redis>(redis: T): T {
  const patch = (): void => {
    const stream = redis.stream as unknown as CorkableStream & { [COALESCED]?: true };
    if (!stream || stream[COALESCED]) return;
    stream[COALESCED] = true;
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    let held = false;
    const release = (): void => {
      held = false;
      if (!stream.destroyed) stream.uncork();
    };
    stream.write = (...args: unknown[]) => {
      if (!held) {
        held = true;
        stream.cork();
        setImmediate(release);
      }
      return write(...args);
    };
  };
  redis.on('connect', patch);
  // Applied to a connection that is already up: its current socket too.
  patch();
  return redis;
}
