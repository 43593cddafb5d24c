import * as z from 'zod';
import { defineProviderTool, type ProviderResponse, type ProviderToolkit } from '../provider-tool.js';

// Against GitHub's REST API (https://docs.github.com/en/rest, version 2022-11-28). Results keep the fields an agent
// needs, not GitHub's whole objects.

const owner = z
  .string()
  // Enterprise Managed Users are named `login_shortcode`.
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'a GitHub user or organisation name')
  .describe('Owner: user or organisation');
const repo = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,100}$/, 'a repository name')
  .refine((name) => name !== '.' && name !== '..', 'a repository name')
  .describe('Repository name');
const perPage = z.number().int().min(1).max(100).default(30).describe('Results per page (1–100)');
const page = z.number().int().min(1).max(1000).default(1).describe('Page number');

const repository = z.object({
  fullName: z.string(),
  description: z.string().nullable(),
  url: z.string(),
  stars: z.number().int(),
  language: z.string().nullable(),
  updatedAt: z.string(),
});
const issue = z.object({
  number: z.number().int(),
  title: z.string(),
  state: z.string(),
  url: z.string(),
  author: z.string().nullable(),
  createdAt: z.string(),
});
const pullRequest = issue.extend({ draft: z.boolean(), head: z.string(), base: z.string() });

interface GitHubRepository {
  full_name: string;
  description: string | null;
  html_url: string;
  stargazers_count: number;
  language: string | null;
  updated_at: string;
}
interface GitHubIssue {
  number: number;
  title: string;
  state: string;
  html_url: string;
  user: { login: string } | null;
  created_at: string;
  pull_request?: unknown;
  draft?: boolean;
  head?: { ref: string };
  base?: { ref: string };
}

const toIssue = (item: GitHubIssue) => ({
  number: item.number,
  title: item.title,
  state: item.state,
  url: item.html_url,
  author: item.user?.login ?? null,
  createdAt: item.created_at,
});

const path = (...segments: string[]) => `/${segments.map(encodeURIComponent).join('/')}`;

const nextPage = z.number().int().nullable().describe('The page to ask for next, or null on the last page');

/**
 * The next page GitHub's `Link` header names (`<…&page=3>; rel="next"`), or null on the last page. Read link by link
 * (RFC 8288): a URL may hold commas, and `rel` may list several relations.
 */
export function nextPageOf(headers: ProviderResponse['headers']): number | null {
  const link = headers['link'];
  const text = Array.isArray(link) ? link.join(', ') : (link ?? '');
  for (const [, target, params] of text.matchAll(/<([^>]*)>([^<]*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params!);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (!relations.includes('next')) continue;
    try {
      const page = Number(new URL(target!).searchParams.get('page'));
      return Number.isInteger(page) && page > 0 ? page : null;
    } catch {
      return null;
    }
  }
  return null;
}

export const githubToolkit: ProviderToolkit = {
  name: 'github',
  title: 'GitHub',
  description: 'Search repositories, read and write issues and comments, list pull requests — as the calling person.',
  provider: 'github',
  // Fixed: a tenant setting must never redirect people's GitHub tokens elsewhere.
  apiBaseUrl: () => 'https://api.github.com',
  headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'Gatehouse' },
  tools: [
    defineProviderTool({
      name: 'github.search_repositories',
      version: '2',
      title: 'Search repositories',
      description: 'Searches repositories the person can see (GitHub search syntax, e.g. "language:go stars:>100").',
      input: z
        .object({ query: z.string().trim().min(1).max(256).describe('Search query'), perPage, page })
        .strict()
        // GitHub's search answers only the first 1,000 results; a page past them is its 422.
        .refine((input) => (input.page - 1) * input.perPage < 1000, {
          message: 'GitHub search returns only the first 1,000 results: ask for an earlier page',
          path: ['page'],
        }),
      output: z.object({ total: z.number().int(), repositories: z.array(repository), nextPage }),
      annotations: { readOnlyHint: true, openWorldHint: true },
      provider: 'github',
      scopes: [],
      handler: async ({ query, perPage: per_page, page: pageNumber }, { api }) => {
        const { json, headers } = await api.request('GET', '/search/repositories', {
          query: { q: query, per_page, page: pageNumber },
        });
        const body = json as { total_count: number; items: GitHubRepository[] };
        return {
          total: body.total_count,
          repositories: body.items.map((item) => ({
            fullName: item.full_name,
            description: item.description,
            url: item.html_url,
            stars: item.stargazers_count,
            language: item.language,
            updatedAt: item.updated_at,
          })),
          nextPage: nextPageOf(headers),
        };
      },
    }),
    defineProviderTool({
      name: 'github.list_issues',
      version: '2',
      title: 'List issues',
      description:
        'Lists issues of a repository, newest first. GitHub pages issues and pull requests together: pull requests are left out (counted in skippedPullRequests), so a page may hold fewer issues than perPage, even none, while nextPage says more follow.',
      input: z
        .object({ owner, repo, state: z.enum(['open', 'closed', 'all']).default('open'), perPage, page })
        .strict(),
      output: z.object({
        issues: z.array(issue),
        skippedPullRequests: z.number().int().describe('Pull requests on this page, left out'),
        nextPage,
      }),
      annotations: { readOnlyHint: true, openWorldHint: true },
      provider: 'github',
      scopes: ['repo'],
      handler: async (input, { api }) => {
        const { json, headers } = await api.request('GET', `${path('repos', input.owner, input.repo)}/issues`, {
          query: { state: input.state, per_page: input.perPage, page: input.page },
        });
        // The issues endpoint also returns pull requests; they carry `pull_request`.
        const items = json as GitHubIssue[];
        const issues = items.filter((item) => item.pull_request === undefined).map(toIssue);
        return { issues, skippedPullRequests: items.length - issues.length, nextPage: nextPageOf(headers) };
      },
    }),
    defineProviderTool({
      name: 'github.create_issue',
      version: '1',
      title: 'Create an issue',
      description: 'Opens an issue in a repository. Not idempotent: each call opens another issue.',
      input: z
        .object({
          owner,
          repo,
          title: z.string().trim().min(1).max(256),
          body: z.string().max(65_536).optional(),
          labels: z.array(z.string().min(1).max(50)).max(20).optional(),
        })
        .strict(),
      output: z.object({ issue }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      provider: 'github',
      scopes: ['repo'],
      handler: async ({ owner: o, repo: r, ...fields }, { api }) => {
        const { json } = await api.request('POST', `${path('repos', o, r)}/issues`, { json: fields });
        return { issue: toIssue(json as GitHubIssue) };
      },
    }),
    defineProviderTool({
      name: 'github.comment_on_issue',
      version: '1',
      title: 'Comment on an issue',
      description: 'Adds a comment to an issue or pull request. Not idempotent.',
      input: z
        .object({ owner, repo, number: z.number().int().min(1), body: z.string().trim().min(1).max(65_536) })
        .strict(),
      output: z.object({ comment: z.object({ id: z.number().int(), url: z.string() }) }),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
      provider: 'github',
      scopes: ['repo'],
      handler: async ({ owner: o, repo: r, number, body }, { api }) => {
        const { json } = await api.request('POST', `${path('repos', o, r, 'issues', String(number))}/comments`, {
          json: { body },
        });
        const comment = json as { id: number; html_url: string };
        return { comment: { id: comment.id, url: comment.html_url } };
      },
    }),
    defineProviderTool({
      name: 'github.list_pull_requests',
      version: '2',
      title: 'List pull requests',
      description: 'Lists pull requests of a repository.',
      input: z
        .object({ owner, repo, state: z.enum(['open', 'closed', 'all']).default('open'), perPage, page })
        .strict(),
      output: z.object({ pullRequests: z.array(pullRequest), nextPage }),
      annotations: { readOnlyHint: true, openWorldHint: true },
      provider: 'github',
      scopes: ['repo'],
      handler: async (input, { api }) => {
        const { json, headers } = await api.request('GET', `${path('repos', input.owner, input.repo)}/pulls`, {
          query: { state: input.state, per_page: input.perPage, page: input.page },
        });
        return {
          pullRequests: (json as GitHubIssue[]).map((item) => ({
            ...toIssue(item),
            draft: item.draft ?? false,
            head: item.head?.ref ?? '',
            base: item.base?.ref ?? '',
          })),
          nextPage: nextPageOf(headers),
        };
      },
    }),
  ],
};
