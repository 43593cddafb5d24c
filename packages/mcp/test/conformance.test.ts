/**
 * The official MCP conformance server suites against the per-request harness: every scenario the 0.1.x suite knows
 * (`--suite all`), and the scenarios 0.2.0-alpha scores for the 2025-11-25 revision. The suites live in tests/e2e.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startConformanceHarness, type ConformanceHarness } from './conformance-harness.js';

const e2eModules = resolve(dirname(fileURLToPath(import.meta.url)), '../../../tests/e2e/node_modules');
const SUITE = resolve(e2eModules, '@modelcontextprotocol/conformance/dist/index.js');
const SUITE_NEXT = resolve(e2eModules, 'conformance-next/dist/index.js');

interface SuiteRun {
  readonly exitCode: number;
  readonly output: string;
  /** Scenario name → passed (no FAILURE check), from the SUMMARY block. */
  readonly scenarios: ReadonlyMap<string, boolean>;
  readonly totals: { readonly passed: number; readonly failed: number } | undefined;
}

/** Async on purpose: the harness answers the suite from this same event loop. */
function runSuite(cli: string, args: readonly string[]): Promise<SuiteRun> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => {
      const scenarios = new Map<string, boolean>();
      const summary = stdout.slice(stdout.lastIndexOf('=== SUMMARY ==='));
      for (const [, mark, name] of summary.matchAll(/^([✓✗]) (\S+): \d+ passed, \d+ failed$/gm)) {
        if (name !== undefined) scenarios.set(name, mark === '✓');
      }
      const totals = /^Total: (\d+) passed, (\d+) failed$/m.exec(summary);
      done({
        exitCode: error ? (typeof error.code === 'number' ? error.code : -1) : 0,
        output: stdout,
        scenarios,
        totals: totals ? { passed: Number(totals[1]), failed: Number(totals[2]) } : undefined,
      });
    });
  });
}

function failedScenarios(run: SuiteRun): string[] {
  return [...run.scenarios].filter(([, passed]) => !passed).map(([name]) => name);
}

describe('MCP conformance suites against a fresh server per request', () => {
  let harness: ConformanceHarness;

  beforeAll(async () => {
    for (const cli of [SUITE, SUITE_NEXT]) {
      if (!existsSync(cli)) throw new Error(`${cli} is missing: run pnpm install (tests/e2e installs the suites)`);
    }
    harness = await startConformanceHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  it('passes every server scenario of @modelcontextprotocol/conformance 0.1.16 (--suite all)', async () => {
    const run = await runSuite(SUITE, ['server', '--url', harness.url, '--suite', 'all']);

    expect({ failed: failedScenarios(run), errors: harness.errors }).toEqual({ failed: [], errors: [] });
    expect(run.exitCode).toBe(0);
    expect(run.totals?.failed).toBe(0);
    // The whole suite ran, including the scenarios that need the cross-instance relay and the session store.
    expect(run.scenarios.size).toBe(32);
    for (const name of [
      'tools-call-sampling',
      'tools-call-elicitation',
      'tools-call-with-logging',
      'resources-subscribe',
    ]) {
      expect(run.scenarios.get(name)).toBe(true);
    }
    expect(harness.relay.size).toBe(0);
  }, 150_000);

  it('meets the 2025-11-25 requirements of conformance 0.2.0-alpha (--requirements 2025-11-25)', async () => {
    const run = await runSuite(SUITE_NEXT, ['server', '--url', harness.url, '--requirements', '2025-11-25']);

    expect({ failed: failedScenarios(run), errors: harness.errors }).toEqual({ failed: [], errors: [] });
    expect(run.exitCode).toBe(0);
    // 30 scored scenarios plus 3 run but not scored (server-session-lifecycle, json-schema-2020-12, sse polling).
    expect(run.scenarios.size).toBe(33);
    expect(run.scenarios.get('server-session-lifecycle')).toBe(true);
    expect(harness.relay.size).toBe(0);
  }, 150_000);
});
