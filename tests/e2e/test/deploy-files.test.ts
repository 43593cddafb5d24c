/**
 * The deployment files against the workspace they build: the image installs dependencies from every workspace
 * manifest before copying the sources (the lockfile names them all; one left out fails the install or leaves a
 * package without its dependencies); the start command's diagnosis of a PostgreSQL it cannot sign in to.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testDatabaseUrl, testRedisUrl } from '@gatehouse/testing';
import { repoRoot } from './stack.js';

const workspaces = ['apps', 'packages', 'tests']
  .flatMap((group) => readdirSync(join(repoRoot, group)).map((name) => `${group}/${name}`))
  .concat('bench')
  .filter((dir) => existsSync(join(repoRoot, dir, 'package.json')));

test('the image copies every workspace manifest before installing', () => {
  const dockerfile = readFileSync(join(repoRoot, 'infra/Dockerfile'), 'utf8');
  const beforeInstall = dockerfile.slice(0, dockerfile.indexOf('RUN pnpm install --frozen-lockfile'));
  const copied = [...beforeInstall.matchAll(/^COPY (\S+\/package\.json) /gm)].map((match) => match[1]);
  expect(workspaces.length).toBeGreaterThan(15);
  expect(copied.sort()).toEqual(workspaces.map((dir) => `${dir}/package.json`).sort());
});

test('every long-running compose service comes back after a crash or a reboot; the one-shot migration does not', () => {
  const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
  const services = compose.slice(compose.indexOf('\nservices:'), compose.indexOf('\nvolumes:'));
  const sections = new Map(
    [...services.matchAll(/^ {2}([a-z-]+):\n((?: {4}.*\n|\s*\n)*)/gm)].map((match) => [match[1]!, match[2]!]),
  );
  expect([...sections.keys()].sort()).toEqual(['api', 'migrate', 'postgres', 'redis', 'web', 'worker']);
  for (const name of ['api', 'postgres', 'redis', 'web', 'worker'])
    expect({ name, restart: /^ {4}restart: (\S+)$/m.exec(sections.get(name)!)?.[1] }).toEqual({
      name,
      restart: 'unless-stopped',
    });
  expect(/^ {4}restart: (\S+)$/m.exec(sections.get('migrate')!)?.[1]).toBe("'no'");
});

test('the start command names a PostgreSQL that refuses its sign-in as such, with what to do', async () => {
  const services = (await import(join(repoRoot, 'scripts/lib/services.mjs'))) as {
    ensureServices: (env: Record<string, string>, root: string, log: (line: string) => void) => Promise<void>;
  };
  const owner = new URL(testDatabaseUrl());
  owner.username = `no_such_role_${process.pid}`;
  owner.password = 'wrong';
  await expect(
    services.ensureServices(
      { MIGRATION_DATABASE_URL: owner.toString(), REDIS_URL: testRedisUrl() },
      repoRoot,
      () => {},
    ),
  ).rejects.toThrow(/refuses to let "no_such_role_\d+" sign in \(28[0P]0[01]\).*ALTER ROLE/);
});
