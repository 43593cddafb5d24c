/**
 * The deployment files against the workspace they build: the image installs dependencies from every workspace
 * manifest before copying the sources (the lockfile names them all; one left out fails the install or leaves a
 * package without its dependencies).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
