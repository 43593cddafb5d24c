import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { InProcessMessageRelay } from './message.relay.js';

const answer: JSONRPCMessage = { jsonrpc: '2.0', id: 'gh-1', result: {} };

describe('InProcessMessageRelay', () => {
  it('delivers only within the session that registered, and only while registered', async () => {
    const relay = new InProcessMessageRelay();
    const delivered: JSONRPCMessage[] = [];
    const stop = relay.register('session-a', 'answer:"gh-1"', (message) => delivered.push(message));

    expect(await relay.deliver('session-b', 'answer:"gh-1"', answer)).toBe(false);
    expect(await relay.deliver('session-a', 'answer:"gh-1"', answer)).toBe(true);
    stop();
    expect(await relay.deliver('session-a', 'answer:"gh-1"', answer)).toBe(false);
    expect(delivered).toEqual([answer]);
    expect(relay.size).toBe(0);
  });

  it('keeps a newer registration when an older one stops', () => {
    const relay = new InProcessMessageRelay();
    const stopOld = relay.register('s', 'cancel:1', () => undefined);
    relay.register('s', 'cancel:1', () => undefined);
    stopOld();

    expect(relay.size).toBe(1);
  });
});
