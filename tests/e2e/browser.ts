import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import type { E2eUser } from './fixtures';

export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

// Debian's chromium: playwright's own browser downloads are not available (README, tests).
const LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

export function launchChromium(): Promise<Browser> {
  return chromium.launch(LAUNCH);
}

export interface Tab {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught page errors seen so far, minus the expected ones. */
  problems: string[];
  /** Declares a console error this test provokes on purpose (a wrong password's 401, a stubbed 500). */
  expectError(pattern: RegExp): void;
}

export interface TabOptions {
  /** Signs the tab in with this user's API token (sessionStorage, as the token form does). */
  as?: E2eUser;
}

/**
 * One Chromium for the file and a fresh context per tab. After every test, any console
 * error or page error that was not declared fails the test: a dashboard that logs errors
 * is broken even when it looks right.
 */
export function useBrowser(): { open(opts?: TabOptions): Promise<Tab>; readonly url: string } {
  let browser: Browser | undefined;
  let tabs: Tab[] = [];
  const url = inject('e2eUrl');

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterEach(async () => {
    const problems = tabs.flatMap((t) => t.problems);
    await Promise.all(tabs.map((t) => t.context.close()));
    tabs = [];
    expect(problems, 'console or page errors').toEqual([]);
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(opts: TabOptions = {}): Promise<Tab> {
    if (!browser) throw new Error('the browser is not running: open tabs inside tests');
    const context = await browser.newContext({ baseURL: url, viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const token = opts.as?.token;
    if (token) await context.addInitScript((t) => window.sessionStorage.setItem('iop.token', t), token);
    // Fail with the locator that never appeared, well before the test's own timeout.
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const expected: RegExp[] = [];
    const tab: Tab = { page, context, problems: [], expectError: (p) => void expected.push(p) };
    const report = (text: string) => {
      if (!expected.some((p) => p.test(text))) tab.problems.push(text);
    };
    page.on('console', (m) => {
      if (m.type() === 'error') report(`console: ${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (e) => report(`page error: ${e.message}`));
    tabs.push(tab);
    return tab;
  }

  return { open, get url() { return url; } };
}

/** Waits until the page's data has loaded: the main element is no longer busy and shows no spinner. */
export async function settled(page: Page): Promise<void> {
  await page.locator('main[aria-busy="false"]').waitFor();
  await expect.poll(() => page.locator('main [data-testid="loading"]').count()).toBe(0);
}

/** Number of drawn marks (paths, rects, circles, lines) in the chart's SVGs. */
export function markCount(page: Page, chart: string): Promise<number> {
  return page.getByTestId(`chart-${chart}`).locator('svg path, svg rect, svg circle, svg line').count();
}

/** The chart's SVG markup, for "did it redraw with other data". */
export function chartSvg(page: Page, chart: string): Promise<string> {
  return page.getByTestId(`chart-${chart}`).locator('.chart').innerHTML();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export async function signInWithPassword(page: Page, user: Pick<E2eUser, 'username' | 'password'>): Promise<void> {
  await page.getByTestId('signin-username').fill(user.username);
  await page.getByTestId('signin-password').fill(user.password);
  await page.getByTestId('signin-submit').click();
}
