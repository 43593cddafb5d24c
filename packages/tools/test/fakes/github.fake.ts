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

export async function startFakeGitHub(): Promise<FakeGitHub> {
  return startFakeServer(({ method, url, headers, body, token }, send) => {
    const docs = 'https://docs.github.com/rest';
    if (token !== GOOD_TOKEN) return send(401, { message: 'Bad credentials', documentation_url: docs, status: '401' });
    if (!headers['user-agent'])
      return send(403, { message: 'Request forbidden by administrative rules.', documentation_url: docs });

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
    if (kind === 'issues' && method === 'GET') return send(200, issues);
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
