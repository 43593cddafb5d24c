import { OutboundHttp } from '@gatehouse/connections';
import { findProviderTool, providerApi, ProviderApiError, slackToolkit, ToolFailure } from '../src/index.js';
import { READ_ONLY_TOKEN, SLACK_TOKEN, startFakeSlack, type FakeSlack } from './fakes/slack.fake.js';

let slack: FakeSlack;
let http: OutboundHttp;

beforeAll(async () => {
  slack = await startFakeSlack();
  http = new OutboundHttp({ allowLoopback: true });
});

afterAll(async () => {
  await http.close();
  await slack.close();
});

async function run(name: string, args: unknown, token = SLACK_TOKEN) {
  const { tool } = findProviderTool(name)!;
  const signal = AbortSignal.timeout(5_000);
  const api = providerApi(http, `${slack.url}/api`, token, signal, slackToolkit.headers);
  return tool.run(tool.parse(args), { api, signal, progress: async () => {} });
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('Slack toolkit against a fake of the Web API', () => {
  it('lists channels page by page', async () => {
    const first = await run('slack.list_channels', { limit: 1 });
    expect(first).toEqual({
      channels: [{ id: 'C01GENERAL', name: 'general', isMember: true, members: 12, topic: 'Company news' }],
      nextCursor: expect.any(String) as string,
    });
    const second = await run('slack.list_channels', { limit: 1, cursor: first.nextCursor });
    expect(second).toMatchObject({ channels: [{ name: 'random', isMember: false }], nextCursor: null });
    expect(slack.requests.at(-1)!.path).toMatch(
      /^\/api\/conversations\.list\?types=public_channel&exclude_archived=true&limit=1&cursor=/,
    );
  });

  it('posts a message as the person, in a thread when asked', async () => {
    expect(
      await run('slack.post_message', { channel: 'C01GENERAL', text: 'Hello', threadTs: '1764460000.000001' }),
    ).toEqual({
      channel: 'C01GENERAL',
      ts: '1764460800.000100',
    });
    expect(slack.requests.at(-1)!.body).toEqual({
      channel: 'C01GENERAL',
      text: 'Hello',
      thread_ts: '1764460000.000001',
    });
    expect(slack.requests.at(-1)!.headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
    expect(slack.requests.at(-1)!.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it("turns Slack's ok:false answers into the statuses they mean", async () => {
    const status = async (promise: Promise<unknown>) => {
      const error = (await failure(promise)) as ProviderApiError;
      expect(error).toBeInstanceOf(ProviderApiError);
      return [error.status, error.providerCode, ...(Object.keys(error.refusal).length > 0 ? [error.refusal] : [])];
    };
    expect(await status(run('slack.list_channels', {}, 'xoxp-revoked'))).toEqual([401, 'invalid_auth']);
    expect(await status(run('slack.post_message', { channel: 'C01GENERAL', text: 'x' }, READ_ONLY_TOKEN))).toEqual([
      403,
      'missing_scope',
      { scopeRefused: true },
    ]);
    // Not a scope: the person is not in the channel.
    expect(await status(run('slack.post_message', { channel: 'C02RANDOM1', text: 'x' }))).toEqual([
      403,
      'not_in_channel',
    ]);
    expect(await status(run('slack.post_message', { channel: 'C09MISSING', text: 'x' }))).toEqual([
      404,
      'channel_not_found',
    ]);
    // Slack's own failures are provider trouble (5xx), not a rejected request.
    expect(await status(run('slack.post_message', { channel: 'C0FAILING', text: 'x' }))).toEqual([
      503,
      'internal_error',
    ]);
    slack.rateLimitAfter(0);
    const limited = (await failure(
      run('slack.post_message', { channel: 'C01GENERAL', text: 'x' }),
    )) as ProviderApiError;
    expect([limited.status, limited.retryAfterSeconds]).toEqual([429, 30]);
  });

  it('refuses channel names and empty messages before calling Slack', async () => {
    expect(await failure(run('slack.post_message', { channel: '#general', text: 'x' }))).toBeInstanceOf(ToolFailure);
    expect(await failure(run('slack.post_message', { channel: 'C01GENERAL', text: '' }))).toBeInstanceOf(ToolFailure);
  });
});
