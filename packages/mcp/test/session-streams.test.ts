/**
 * `McpSessionStreams` over real HTTP: what a client of a standalone GET stream sees (headers, keep-alive comments,
 * events) and that a stream is forgotten as soon as its client leaves.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  acceptsEventStream,
  compareStreamEventIds,
  elicitationCompleteNotification,
  isStreamEventId,
  McpSessionStreams,
  streamPositionsOf,
  toolListChangedNotification,
} from '../src/index.js';

let http: Server;
let url: string;
const streams = new McpSessionStreams({ keepAliveMs: 30 });
const closed: string[] = [];
/** The response each session's stream was opened on. */
const opened = new Map<string, ServerResponse>();

beforeAll(async () => {
  http = createServer((req, res) => {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const sessionId = query.get('session') ?? 'none';
    opened.set(sessionId, res);
    const after = query.get('after');
    streams.open(
      res,
      { sessionId, resource: 'https://gh.example/t/acme/mcp/main' },
      () => closed.push(sessionId),
      query.has('resuming'),
      after ? streamPositionsOf(after, ['s', 'v']) : undefined,
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  streams.closeAll();
  await new Promise((resolve) => http.close(resolve));
});

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('McpSessionStreams', () => {
  it('keeps an idle stream alive with comments, writes events, and forgets it when the client leaves', async () => {
    const response = await fetch(`${url}?session=s1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    expect((await reader.read()).value).toMatch(/^(: keep-alive\n\n)+$/);

    expect(streams.sessionsOf('https://gh.example/t/acme/mcp/main')).toEqual(['s1']);
    expect(streams.send('s1', { message: toolListChangedNotification() })).toBe(true);
    let seen = '';
    while (!seen.includes('list_changed')) seen += (await reader.read()).value ?? '';
    expect(seen).toContain('event: message\ndata: {"jsonrpc":"2.0","method":"notifications/tools/list_changed"}\n\n');

    await reader.cancel();
    await waitUntil(() => !streams.has('s1'));
    expect(closed).toEqual(['s1']);
    expect(streams.send('s1', { message: toolListChangedNotification() })).toBe(false);
    expect(streams.sessionsOf('https://gh.example/t/acme/mcp/main')).toEqual([]);
  });

  it('resuming: writes what the client missed with its ids, then what arrived meanwhile, each event once', async () => {
    const response = await fetch(`${url}?session=s2&resuming`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    await waitUntil(() => streams.has('s2'));
    const res = opened.get('s2')!;
    // Live events while the missed ones are looked up wait; one of them is also among the missed.
    streams.send('s2', { message: elicitationCompleteNotification('e2'), id: '1700000000002-0-s' });
    streams.send('s2', { message: elicitationCompleteNotification('e3'), id: '1700000000003-0-s' });
    // Another response (a newer stream's, say) cannot end this one's resumption.
    streams.resume('s2', {} as ServerResponse, []);
    streams.resume('s2', res, [
      { message: elicitationCompleteNotification('e1'), id: '1700000000001-0-s' },
      { message: elicitationCompleteNotification('e2'), id: '1700000000002-0-s' },
    ]);
    let seen = '';
    while (!seen.includes('"e3"')) seen += (await reader.read()).value ?? '';
    const events = seen
      .split('\n\n')
      .filter((block) => block.includes('data:'))
      .map((block) => ({
        id: /^id: (.+)$/m.exec(block)?.[1],
        elicitation: /"elicitationId":"(\w+)"/.exec(block)?.[1],
      }));
    expect(events).toEqual([
      { id: '1700000000001-0-s', elicitation: 'e1' },
      { id: '1700000000002-0-s', elicitation: 'e2' },
      { id: '1700000000003-0-s', elicitation: 'e3' },
    ]);
    await reader.cancel();
  });

  it('orders and recognises the event ids it issues', () => {
    expect(isStreamEventId('1700000000001-0-s')).toBe(true);
    expect(isStreamEventId('1700000000001-0')).toBe(false);
    expect(isStreamEventId('x\ndata: evil')).toBe(false);
    expect(compareStreamEventIds('1700000000001-0-v', '1700000000001-1-s')).toBeLessThan(0);
    expect(compareStreamEventIds('1700000000002-0-s', '1700000000001-9-v')).toBeGreaterThan(0);
    expect(compareStreamEventIds('1700000000001-0-s', '1700000000001-0-v')).toBeLessThan(0);
    expect(compareStreamEventIds('1700000000001-0-s', '1700000000001-0-s')).toBe(0);
    // What is sent: the stream's position in every log.
    expect(isStreamEventId('1700000000003-0-s_1700000000001-2-v')).toBe(true);
    expect(isStreamEventId('1700000000003-0-s_')).toBe(false);
  });

  it('reads a Last-Event-ID as a position per log; a single position stands for every log', () => {
    expect(streamPositionsOf('1700000000003-0-s_1700000000001-2-v', ['s', 'v'])).toEqual(
      new Map([
        ['s', '1700000000003-0-s'],
        ['v', '1700000000001-2-v'],
      ]),
    );
    expect(streamPositionsOf('1700000000003-1-s', ['s', 'v'])).toEqual(
      new Map([
        ['s', '1700000000003-1-s'],
        ['v', '1700000000003-1-v'],
      ]),
    );
    expect(streamPositionsOf('1700000000003-0-s_1700000000004-0-s', ['s', 'v']).get('v')).toBe('0-0-v');
  });

  it('sends with each event the position in every log, moving forward only', async () => {
    // Resumed where the client was: in the session's log at 5, in the server's at 1.
    const response = await fetch(`${url}?session=s3&resuming&after=1700000000005-0-s_1700000000001-0-v`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    await waitUntil(() => streams.has('s3'));
    streams.resume('s3', opened.get('s3')!, []);
    // Published in an order that is not the logs': a later session event, then an earlier server change.
    streams.send('s3', { message: elicitationCompleteNotification('e6'), id: '1700000000006-0-s' });
    streams.send('s3', { message: toolListChangedNotification(), id: '1700000000002-0-v' });
    let seen = '';
    while (!seen.includes('list_changed')) seen += (await reader.read()).value ?? '';
    expect([...seen.matchAll(/^id: (.+)$/gm)].map((match) => match[1])).toEqual([
      '1700000000006-0-s_1700000000001-0-v',
      '1700000000006-0-s_1700000000002-0-v',
    ]);
    await reader.cancel();
  });

  it("never sends an event at or before its stream's position in that log again, and tells the positions", async () => {
    const response = await fetch(`${url}?session=s4&resuming&after=1700000000005-0-s_1700000000001-0-v`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    await waitUntil(() => streams.has('s4'));
    streams.resume('s4', opened.get('s4')!, []);
    expect(streams.position('s4', 's')).toBe('1700000000005-0-s');
    const later = { message: elicitationCompleteNotification('e8'), id: '1700000000008-0-s' };
    streams.send('s4', { message: elicitationCompleteNotification('e7'), id: '1700000000007-0-s' });
    streams.send('s4', later);
    // The same event again (read from the log, then heard live), and an earlier one arriving late.
    streams.send('s4', later);
    streams.send('s4', { message: elicitationCompleteNotification('e7'), id: '1700000000007-0-s' });
    streams.send('s4', { message: elicitationCompleteNotification('e5'), id: '1700000000005-0-s' });
    streams.send('s4', { message: toolListChangedNotification(), id: '1700000000003-0-v' });
    let seen = '';
    while (!seen.includes('list_changed')) seen += (await reader.read()).value ?? '';
    expect([...seen.matchAll(/"elicitationId":"(e\d)"/g)].map((match) => match[1])).toEqual(['e7', 'e8']);
    expect(streams.position('s4', 's')).toBe('1700000000008-0-s');
    expect(streams.earliestPosition('https://gh.example/t/acme/mcp/main', 'v')).toBe('1700000000003-0-v');
    await reader.cancel();
  });

  it('a new stream still sends an event logged before it opened but heard after, once', async () => {
    // Opened (not resuming) where the logs ended: the session's log at 5.
    const response = await fetch(`${url}?session=s5&after=1700000000005-0-s_1700000000001-0-v`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    await waitUntil(() => streams.has('s5'));
    const logged = { message: elicitationCompleteNotification('e5'), id: '1700000000005-0-s' };
    streams.send('s5', logged);
    streams.send('s5', logged);
    streams.send('s5', { message: toolListChangedNotification(), id: '1700000000002-0-v' });
    let seen = '';
    while (!seen.includes('list_changed')) seen += (await reader.read()).value ?? '';
    expect([...seen.matchAll(/"elicitationId":"(e\d)"/g)].map((match) => match[1])).toEqual(['e5']);
    await reader.cancel();
  });

  it('reads Accept the way Streamable HTTP needs it', () => {
    expect(acceptsEventStream('text/event-stream')).toBe(true);
    expect(acceptsEventStream('application/json, text/event-stream;q=0.9')).toBe(true);
    expect(acceptsEventStream('*/*')).toBe(true);
    expect(acceptsEventStream('application/json')).toBe(false);
    expect(acceptsEventStream(undefined)).toBe(false);
  });
});
