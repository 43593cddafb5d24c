import { startFakeServer, type FakeServer } from './fake-server.js';

/**
 * A local stand-in for GitHub's REST API (2022-11-28): the endpoints the GitHub toolkit uses, answering the shapes
 * and errors GitHub documents — 401 "Bad credentials", 404 "Not Found", 422 "Validation Failed", and an exhausted
 * rate limit as 403 with `x-ratelimit-remaining: 0`.
 */
export type FakeGitHub = FakeServer;

export const GOOD_TOKEN = 'gho_fake_token_for_tests';

const issues = [
  {
    number: 2,
    title: 'Crash on start',
    state: 'open',
    html_url: 'https://github.com/acme/widgets/issues/2',
    user: { login: 'octocat' },
    created_at: '2026-11-01T10:00:00Z',
    labels: [],
  },
  {
    number: 3,
    title: 'Fix crash',
    state: 'open',
    html_url: 'https://github.com/acme/widgets/pull/3',
    user: { login: 'hubot' },
    created_at: '2026-11-02T10:00:00Z',
    pull_request: { url: 'https://api.github.com/repos/acme/widgets/pulls/3' },
  },
];

/** A pull request with GitHub's whole nested objects, about 16 KB of JSON. */
function fullPullRequest(number: number) {
  const repository = {
    id: 1,
    full_name: 'acme/widgets',
    description: 'd'.repeat(2_000),
    ...Object.fromEntries(
      Array.from({ length: 60 }, (_, index) => [
        `field_${index}_url`,
        `https://api.github.com/repos/acme/widgets/${index}`,
      ]),
    ),
    owner: { login: 'acme', bio: 'b'.repeat(1_000) },
  };
  return {
    number,
    title: `Change ${number}`,
    state: 'open',
    html_url: `https://github.com/acme/widgets/pull/${number}`,
    user: { login: 'hubot' },
    created_at: '2026-11-02T10:00:00Z',
    draft: false,
    body: 'b'.repeat(2_000),
    head: { ref: `change-${number}`, repo: repository },
    base: { ref: 'main', repo: repository },
  };
}

export async function startFakeGitHub(): Promise<FakeGitHub> {
  return startFakeServer(({ method, url, headers, body, token }, send) => {
    const docs = 'https://docs.github.com/rest';
    if (token !== GOOD_TOKEN) return send(401, { message: 'Bad credentials', documentation_url: docs, status: '401' });
    if (!headers['user-agent'])
      return send(403, { message: 'Request forbidden by administrative rules.', documentation_url: docs });

    if (url.searchParams.get('q') === 'secondary')
      // A secondary rate limit: 403 with Retry-After, the primary limit far from exhausted.
      return send(
        403,
        { message: 'You have exceeded a secondary rate limit. Please wait a few minutes.', documentation_url: docs },
        { 'retry-after': '60', 'x-ratelimit-remaining': '4990' },
      );
    if (url.searchParams.get('q') === 'slow')
      // Answers after 600 ms.
      return void setTimeout(() => send(200, { total_count: 0, incomplete_results: false, items: [] }), 600);
    if (url.searchParams.get('q') === 'secondary-untimed')
      return send(403, { message: 'You have exceeded a secondary rate limit.', documentation_url: docs });
    // Times no provider should give, but one might: now, already past, beyond any integer.
    if (url.searchParams.get('q') === 'limited-zero') return send(429, { message: 'x' }, { 'retry-after': '0' });
    if (url.searchParams.get('q') === 'limited-past')
      return send(429, { message: 'x' }, { 'retry-after': new Date(Date.now() - 120_000).toUTCString() });
    if (url.searchParams.get('q') === 'limited-forever')
      return send(429, { message: 'x' }, { 'retry-after': '99999999999999999999' });
    if (url.searchParams.get('q') === 'limited-until')
      return send(
        429,
        { message: 'Too many requests' },
        { 'retry-after': new Date(Date.now() + 120_000).toUTCString() },
      );
    if (method === 'GET' && url.pathname === '/search/repositories') {
      if (url.searchParams.get('q') === 'ratelimited')
        return send(
          403,
          { message: 'API rate limit exceeded for user ID 1.', documentation_url: docs },
          { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60) },
        );
      return send(200, {
        total_count: 1,
        incomplete_results: false,
        items: [
          {
            id: 1,
            full_name: 'acme/widgets',
            description: 'Widgets',
            html_url: 'https://github.com/acme/widgets',
            stargazers_count: 42,
            language: 'TypeScript',
            updated_at: '2026-11-20T00:00:00Z',
          },
        ],
      });
    }
    // A renamed repository: GitHub answers 301 (reads) or 307 (writes) with its new location.
    const renamed = /^\/repos\/acme\/old-widgets\/(.*)$/.exec(url.pathname);
    if (renamed)
      return send(
        method === 'GET' ? 301 : 307,
        { message: 'Moved Permanently', url: `https://api.github.com/repositories/1/${renamed[1]}` },
        { location: `/repos/acme/widgets/${renamed[1]}${url.search}` },
      );
    if (url.pathname === '/repos/acme/moved-away/issues')
      return send(301, { message: 'Moved Permanently' }, { location: 'https://elsewhere.example/repos/acme/widgets' });
    // A write the token's scopes do not allow: GitHub names the scopes that would and those the token has.
    if (url.pathname === '/repos/acme/locked/issues' && method === 'POST')
      return send(
        403,
        { message: 'Resource not accessible by personal access token', documentation_url: docs, status: '403' },
        { 'x-accepted-oauth-scopes': 'public_repo, repo', 'x-oauth-scopes': 'read:org, read:user' },
      );
    // A GitHub App's user token (no OAuth scopes at all) refused by the app's own permissions.
    if (url.pathname.startsWith('/repos/app-org/'))
      return send(
        403,
        { message: 'Resource not accessible by integration', documentation_url: docs },
        { 'x-accepted-oauth-scopes': 'repo', 'x-oauth-scopes': '' },
      );
    // An organisation enforcing SAML single sign-on for a token not yet authorized for it.
    if (url.pathname.startsWith('/repos/sso-org/'))
      return send(
        403,
        { message: 'Resource protected by organization SAML enforcement.', documentation_url: docs },
        {
          'x-github-sso': 'required; url=https://github.com/orgs/sso-org/sso?authorization_request=AAB2',
          'x-accepted-oauth-scopes': 'repo',
          'x-oauth-scopes': 'repo',
        },
      );
    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)\/(issues|pulls)(?:\/(\d+)\/comments)?$/.exec(url.pathname);
    if (!repoMatch || repoMatch[1] !== 'acme' || repoMatch[2] !== 'widgets')
      return send(404, { message: 'Not Found', documentation_url: docs, status: '404' });
    const [, , , kind, number] = repoMatch;
    if (kind === 'issues' && number && method === 'POST') {
      if (Number(number) > 3) return send(404, { message: 'Not Found', documentation_url: docs });
      return send(201, {
        id: 99,
        html_url: `https://github.com/acme/widgets/issues/${number}#issuecomment-99`,
        body: (body as { body: string }).body,
      });
    }
    if (kind === 'issues' && method === 'GET') {
      // One item per page when asked so: GitHub's Link header names the next page (and the last).
      if (url.searchParams.get('per_page') !== '1') return send(200, issues);
      const pageNumber = Number(url.searchParams.get('page') ?? '1');
      const link = (n: number, rel: string) =>
        `<https://api.github.com/repositories/1/issues?per_page=1&page=${n}>; rel="${rel}"`;
      const links = [
        ...(pageNumber < issues.length ? [link(pageNumber + 1, 'next'), link(issues.length, 'last')] : []),
        ...(pageNumber > 1 ? [link(1, 'first'), link(pageNumber - 1, 'prev')] : []),
      ];
      return send(200, issues.slice(pageNumber - 1, pageNumber), links.length ? { link: links.join(', ') } : {});
    }
    if (kind === 'issues' && method === 'POST') {
      const fields = body as { title?: string; labels?: string[] };
      if (fields.labels?.includes('no-such-label'))
        return send(422, {
          message: 'Validation Failed',
          errors: [{ resource: 'Label', code: 'invalid', field: 'labels' }],
          documentation_url: docs,
        });
      return send(201, {
        number: 4,
        title: fields.title,
        state: 'open',
        html_url: 'https://github.com/acme/widgets/issues/4',
        user: { login: 'octocat' },
        created_at: '2026-11-30T00:00:00Z',
      });
    }
    if (kind === 'pulls' && method === 'GET' && url.searchParams.get('per_page') === '100')
      // A full page as GitHub sends it: each pull request carries its head and base repositories whole (~16 KB).
      return send(
        200,
        Array.from({ length: 100 }, (_, index) => fullPullRequest(index + 1)),
      );
    if (kind === 'pulls' && method === 'GET')
      return send(200, [
        {
          number: 3,
          title: 'Fix crash',
          state: 'open',
          html_url: 'https://github.com/acme/widgets/pull/3',
          user: { login: 'hubot' },
          created_at: '2026-11-02T10:00:00Z',
          draft: true,
          head: { ref: 'fix-crash' },
          base: { ref: 'main' },
        },
      ]);
    return send(404, { message: 'Not Found', documentation_url: docs });
  });
}
