import { OutboundHttp } from '@gatehouse/connections';
import { findProviderTool, githubToolkit, providerApi, ProviderApiError, ToolFailure } from '../src/index.js';
import { nextPageOf } from '../src/toolkits/github.toolkit.js';
import { GOOD_TOKEN, startFakeGitHub, type FakeGitHub } from './fakes/github.fake.js';

let github: FakeGitHub;
let http: OutboundHttp;

beforeAll(async () => {
  github = await startFakeGitHub();
  http = new OutboundHttp({ allowLoopback: true });
});

afterAll(async () => {
  await http.close();
  await github.close();
});

/** Runs a GitHub tool as the worker does, with the API base pointed at the fake. */
async function run(name: string, args: unknown, token = GOOD_TOKEN) {
  const { tool } = findProviderTool(name)!;
  const signal = AbortSignal.timeout(5_000);
  const api = providerApi(http, github.url, token, signal, githubToolkit.headers);
  return tool.run(tool.parse(args), { api, signal, progress: async () => {} });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('GitHub toolkit against a fake of the REST API', () => {
  it('lists its tools with annotations and schemas', () => {
    expect(githubToolkit.tools.map((tool) => [tool.name, tool.retryable])).toEqual([
      ['github.search_repositories', true],
      ['github.list_issues', true],
      ['github.create_issue', false],
      ['github.comment_on_issue', false],
      ['github.list_pull_requests', true],
    ]);
    expect(findProviderTool('github.create_issue')!.tool.inputSchema.required).toEqual(['owner', 'repo', 'title']);
  });

  it('searches repositories with GitHub headers and the person token', async () => {
    expect(await run('github.search_repositories', { query: 'widgets', perPage: 5 })).toEqual({
      total: 1,
      repositories: [
        {
          fullName: 'acme/widgets',
          description: 'Widgets',
          url: 'https://github.com/acme/widgets',
          stars: 42,
          language: 'TypeScript',
          updatedAt: '2026-11-20T00:00:00Z',
        },
      ],
      nextPage: null,
    });
    const request = github.requests.at(-1)!;
    expect(request.path).toBe('/search/repositories?q=widgets&per_page=5&page=1');
    expect(request.headers).toMatchObject({
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28',
      'user-agent': 'Gatehouse',
      authorization: `Bearer ${GOOD_TOKEN}`,
    });
  });

  it('lists issues without pull requests, and pull requests with their branches', async () => {
    expect(await run('github.list_issues', { owner: 'acme', repo: 'widgets' })).toEqual({
      issues: [
        {
          number: 2,
          title: 'Crash on start',
          state: 'open',
          url: 'https://github.com/acme/widgets/issues/2',
          author: 'octocat',
          createdAt: '2026-11-01T10:00:00Z',
        },
      ],
      skippedPullRequests: 1,
      nextPage: null,
    });
    expect(await run('github.list_pull_requests', { owner: 'acme', repo: 'widgets', state: 'all' })).toMatchObject({
      pullRequests: [{ number: 3, draft: true, head: 'fix-crash', base: 'main', author: 'hubot' }],
    });
    expect(github.requests.at(-1)!.path).toBe('/repos/acme/widgets/pulls?state=all&per_page=30&page=1');
  });

  it('says which page follows (Link header), even when a page held only pull requests', async () => {
    expect(await run('github.list_issues', { owner: 'acme', repo: 'widgets', perPage: 1 })).toMatchObject({
      issues: [{ number: 2 }],
      skippedPullRequests: 0,
      nextPage: 2,
    });
    expect(await run('github.list_issues', { owner: 'acme', repo: 'widgets', perPage: 1, page: 2 })).toEqual({
      issues: [],
      skippedPullRequests: 1,
      nextPage: null,
    });
  });

  it("a request waits as long as its tool allows, not the HTTP client's own shorter deadline", async () => {
    const impatient = new OutboundHttp({ allowLoopback: true, timeoutMs: 300 });
    try {
      const { tool } = findProviderTool('github.search_repositories')!;
      const signal = AbortSignal.timeout(5_000);
      const search = (timeoutMs?: number) =>
        tool.run(tool.parse({ query: 'slow' }), {
          api: providerApi(impatient, github.url, GOOD_TOKEN, signal, githubToolkit.headers, timeoutMs),
          signal,
          progress: async () => {},
        });
      expect(await search(3_000)).toMatchObject({ total: 0, repositories: [] });
      expect(await failure(search())).toMatchObject({ code: 'provider_unreachable', maybeSent: true });
    } finally {
      await impatient.close();
    }
  });

  it('reads the Link header link by link: commas inside URLs, several relations, unquoted rel', () => {
    const base = 'https://api.github.com/search/issues';
    expect(
      nextPageOf({
        link: `<${base}?q=label:bug,ui&page=1>; rel="prev first", <${base}?q=label:bug,ui&page=3>; rel="next", <${base}?q=x&page=9>; rel="last"`,
      }),
    ).toBe(3);
    expect(nextPageOf({ link: `<${base}?page=1>; rel="first", <${base}?page=4>; rel=next` })).toBe(4);
    expect(
      nextPageOf({ link: [`<${base}?page=1>; rel="prev"`, `<${base}?page=5>; title="a, b"; REL="next last"`] }),
    ).toBe(5);
    expect(nextPageOf({ link: `<${base}?page=1>; rel="prev", <${base}?page=2>; rel="nextish"` })).toBeNull();
    expect(nextPageOf({})).toBeNull();
  });

  it('reads a full page of 100 pull requests (megabytes of JSON)', async () => {
    const listed = (await run('github.list_pull_requests', { owner: 'acme', repo: 'widgets', perPage: 100 })) as {
      pullRequests: unknown[];
    };
    expect(listed.pullRequests).toHaveLength(100);
  });

  it('follows a renamed repository (301 for reads, 307 for writes), never to another host', async () => {
    expect(await run('github.list_issues', { owner: 'acme', repo: 'old-widgets', state: 'all' })).toMatchObject({
      issues: [{ number: 2 }],
    });
    expect(github.requests.at(-1)!.path).toBe('/repos/acme/widgets/issues?state=all&per_page=30&page=1');
    expect(await run('github.create_issue', { owner: 'acme', repo: 'old-widgets', title: 'Moved' })).toMatchObject({
      issue: { number: 4, title: 'Moved' },
    });
    expect(github.requests.at(-1)!).toMatchObject({ method: 'POST', body: { title: 'Moved' } });
    const away = (await failure(run('github.list_issues', { owner: 'acme', repo: 'moved-away' }))) as ProviderApiError;
    expect(away).toBeInstanceOf(ProviderApiError);
    expect(away.status).toBe(301);
  });

  it("takes GitHub's secondary rate limits for what they are, and Retry-After as seconds or a date", async () => {
    const limit = async (query: string) => {
      const error = (await failure(run('github.search_repositories', { query }))) as ProviderApiError;
      expect(error).toBeInstanceOf(ProviderApiError);
      return [error.status, error.retryAfterSeconds];
    };
    expect(await limit('secondary')).toEqual([429, 60]);
    // No time given: GitHub asks for at least a minute.
    expect(await limit('secondary-untimed')).toEqual([429, 60]);
    // Held to between a second and a day: never "retry at once" into the same limit, never an unusable number.
    expect(await limit('limited-zero')).toEqual([429, 1]);
    expect(await limit('limited-past')).toEqual([429, 1]);
    expect(await limit('limited-forever')).toEqual([429, 86_400]);
    const [status, seconds] = await limit('limited-until');
    expect(status).toBe(429);
    expect(seconds).toBeGreaterThanOrEqual(118);
    expect(seconds).toBeLessThanOrEqual(120);
  });

  it('creates issues and comments', async () => {
    expect(
      await run('github.create_issue', { owner: 'acme', repo: 'widgets', title: 'New', body: 'text' }),
    ).toMatchObject({
      issue: { number: 4, title: 'New', url: 'https://github.com/acme/widgets/issues/4' },
    });
    expect(github.requests.at(-1)!.body).toEqual({ title: 'New', body: 'text' });
    expect(await run('github.comment_on_issue', { owner: 'acme', repo: 'widgets', number: 2, body: 'Thanks' })).toEqual(
      {
        comment: { id: 99, url: 'https://github.com/acme/widgets/issues/2#issuecomment-99' },
      },
    );
  });

  it("maps GitHub's errors: bad token 401, missing repo 404, validation 422, exhausted rate limit as 429", async () => {
    const badToken = await failure(run('github.list_issues', { owner: 'acme', repo: 'widgets' }, 'gho_wrong'));
    expect(badToken).toBeInstanceOf(ProviderApiError);
    expect((badToken as ProviderApiError).status).toBe(401);
    expect(
      ((await failure(run('github.list_issues', { owner: 'acme', repo: 'gadgets' }))) as ProviderApiError).status,
    ).toBe(404);
    const invalid = (await failure(
      run('github.create_issue', { owner: 'acme', repo: 'widgets', title: 'x', labels: ['no-such-label'] }),
    )) as ProviderApiError;
    expect(invalid.status).toBe(422);
    // Which field, and what is wrong with it: the caller can fix the request.
    expect(invalid.providerCode).toBe('labels.invalid');
    const limited = (await failure(run('github.search_repositories', { query: 'ratelimited' }))) as ProviderApiError;
    expect(limited.status).toBe(429);
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(58);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('tells a 403 for want of a scope, and one for single sign-on with its link, from other refusals', async () => {
    const scope = (await failure(
      run('github.create_issue', { owner: 'acme', repo: 'locked', title: 'x' }),
    )) as ProviderApiError;
    expect([scope.status, scope.refusal]).toEqual([403, { scopeRefused: true }]);
    const sso = (await failure(run('github.list_issues', { owner: 'sso-org', repo: 'app' }))) as ProviderApiError;
    expect([sso.status, sso.refusal]).toEqual([
      403,
      { singleSignOnUrl: 'https://github.com/orgs/sso-org/sso?authorization_request=AAB2' },
    ]);
    // A token without OAuth scopes at all (a GitHub App's): its refusal says nothing about scopes.
    const app = (await failure(run('github.list_issues', { owner: 'app-org', repo: 'x' }))) as ProviderApiError;
    expect([app.status, app.refusal]).toEqual([403, {}]);
    // No user agent: refused by GitHub's rules, nothing to do with scopes.
    const { tool } = findProviderTool('github.search_repositories')!;
    const signal = AbortSignal.timeout(5_000);
    const bare = (await failure(
      tool.run(tool.parse({ query: 'widgets' }), {
        api: providerApi(http, github.url, GOOD_TOKEN, signal, {}),
        signal,
        progress: async () => {},
      }),
    )) as ProviderApiError;
    expect([bare.status, bare.refusal]).toEqual([403, {}]);
  });

  it('refuses arguments that could leave the repository path', async () => {
    for (const owner of ['../admin', 'acme/widgets', '']) {
      const refused = await failure(run('github.list_issues', { owner, repo: 'widgets' }));
      expect(refused).toBeInstanceOf(ToolFailure);
      expect((refused as ToolFailure).code).toBe('invalid_arguments');
    }
    expect(await failure(run('github.list_issues', { owner: 'acme', repo: '..' }))).toBeInstanceOf(ToolFailure);
    // A step up is refused however it is spelled; dots inside a name are a name.
    const signal = AbortSignal.timeout(5_000);
    const api = providerApi(http, github.url, GOOD_TOKEN, signal, githubToolkit.headers);
    for (const path of ['/repos/acme/../x', '/repos/acme/%2e%2E/x', '/repos/acme/%2e/x', '/..'])
      expect(((await failure(api.request('GET', path))) as ToolFailure).code).toBe('invalid_path');
    const before = github.requests.length;
    // Enterprise Managed Users' logins (`login_shortcode`) and names with dots reach GitHub (the fake knows neither).
    for (const [owner, repo] of [
      ['alice_contoso', 'widgets'],
      ['acme', 'a..b'],
    ])
      expect(((await failure(run('github.list_issues', { owner, repo }))) as ProviderApiError).status).toBe(404);
    expect(github.requests.length).toBe(before + 2);
    expect(github.requests.at(-1)!.url.pathname).toBe('/repos/acme/a..b/issues');
  });

  it('refuses a search page past the 1,000 results GitHub answers, without asking it', async () => {
    const before = github.requests.length;
    const refused = await failure(run('github.search_repositories', { query: 'widgets', perPage: 100, page: 11 }));
    expect(refused).toBeInstanceOf(ToolFailure);
    expect((refused as ToolFailure).message).toMatch(/first 1,000 results/);
    expect(github.requests.length).toBe(before);
    // The last page that still starts within them is asked.
    await run('github.search_repositories', { query: 'widgets', perPage: 30, page: 34 });
    expect(github.requests.length).toBe(before + 1);
  });
});
