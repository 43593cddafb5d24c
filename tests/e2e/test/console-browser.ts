/**
 * The console in a real browser: Debian's Chromium driven by playwright-core (never a downloaded browser), an
 * accessibility check with axe-core on every page, and a screenshot of every page as a test artifact.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './stack.js';

export const ARTIFACTS = join(repoRoot, 'tests/e2e/artifacts/console');

/** Debian's package (`apt-get install chromium`; .ci/run installs it when missing). */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string; failureSummary?: string }[];
}

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.x A/AA rules and best practices). */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axeSource });
  // A string, evaluated in the page: this package is typed for Node, not the DOM.
  const violations = await page.evaluate<AxeViolation[]>('axe.run(document).then((result) => result.violations)');
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} at ${violation.nodes
          .map((node) => `${JSON.stringify(node.target)} ${node.html.slice(0, 300)} (${node.failureSummary ?? ''})`)
          .join(', ')}`,
    );
}

/** Saves a full-page screenshot as `<name>.png` among the artifacts and checks accessibility. */
export async function capture(page: Page, name: string): Promise<void> {
  // The page itself, not its loading placeholder or a half-finished refresh, is what gets pictured and checked.
  await page.waitForLoadState('networkidle');
  await page.waitForFunction(`document.querySelector('[aria-busy="true"]') === null`);
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const first = await seriousViolations(page);
  if (first.length === 0) return;
  // A page caught between two renders (a navigation's refresh still landing) is checked again once it has
  // settled: what the person ends up with is what must be accessible. What persists fails the test; what
  // vanished is printed, so a page that only passes the second look still leaves a trace in the log.
  await page.waitForTimeout(1_000);
  await page.waitForLoadState('networkidle');
  const violations = await seriousViolations(page);
  if (violations.length > 0) throw new Error(`${name}: accessibility violations:\n${violations.join('\n')}`);
  console.warn(
    `${name}: accessibility violations seen while the page settled, gone a second later:\n${first.join('\n')}`,
  );
}
