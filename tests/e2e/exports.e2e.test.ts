import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { ARTIFACTS, settled, useBrowser } from './browser';
import { E2E_EPISODES } from './fixtures';

const users = inject('e2eUsers');
const b = useBrowser();

async function download(page: Page, testid: string): Promise<{ name: string; text: string }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  const file = await dl.path();
  return { name: dl.suggestedFilename(), text: fs.readFileSync(file, 'utf8') };
}

function csvLines(text: string): string[] {
  return text.split('\r\n').filter((l) => l !== '');
}

describe('downloads', () => {
  it('downloads the overview as CSV: one row per track under the documented header', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.goto('/');
    await settled(page);
    const { name, text } = await download(page, 'download-csv-overview');
    expect(name).toBe('iop-overview.csv');
    const [header, ...rows] = csvLines(text);
    // A retention time point is a column only when some track has it (docs/metrics.md "Retention time points").
    expect(header).toMatch(/^track,episodes,completion_rate,completion_lower,completion_upper,retention_30(,retention_planned)?(,retention_90)?,phq9_reliable_improvement,abstinence_rate$/);
    expect(rows.map((r) => r.split(',')[0]).sort()).toEqual(['day', 'evening', 'family', 'mens', 'php-step-down', 'womens']);
    const episodes = rows.map((r) => Number(r.split(',')[1]));
    expect(episodes.every((n) => Number.isInteger(n) && n > 0)).toBe(true);
    expect(episodes.reduce((a, n) => a + n, 0)).toBe(E2E_EPISODES);
  });

  it('downloads the retention curve as CSV and the chart as SVG and PNG', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.goto('/?page=retention&track=day');
    await settled(page);
    const csv = await download(page, 'download-csv-km-retention');
    expect(csv.name).toBe('iop-km-retention.csv');
    const [header, ...rows] = csvLines(csv.text);
    expect(header).toBe('group,day,at_risk,events,censored,survival,lower,upper');
    expect(rows.length).toBeGreaterThan(1);
    // The curve starts at 100% on day 0 and never rises.
    const survival = rows.map((r) => Number(r.split(',')[5]));
    expect(survival[0]).toBe(1);
    expect(survival.every((s, i) => i === 0 || s <= (survival[i - 1] ?? 1))).toBe(true);

    const svg = await download(page, 'download-svg-km-retention');
    expect(svg.name).toBe('iop-km-retention.svg');
    expect(svg.text).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.text).toContain('<path');

    const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-png-km-retention').click()]);
    const bytes = fs.readFileSync(await png.path());
    expect(png.suggestedFilename()).toBe('iop-km-retention.png');
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(bytes.length).toBeGreaterThan(5_000);
  });
});

describe('printing', () => {
  it('prints the retention page to a PDF of at least one page', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.goto('/?page=retention');
    await settled(page);
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByTestId('filters').isVisible()).toBe(false);
    const pdf = await page.pdf({ format: 'Letter', printBackground: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.writeFileSync(path.join(ARTIFACTS, 'retention.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pages = pdf.toString('latin1').match(/\/Type\s*\/Page\b/g) ?? [];
    expect(pages.length).toBeGreaterThanOrEqual(1);
  });

  it('opens the printable report link with the same session', async () => {
    const tab = await b.open();
    const { page } = tab;
    await page.goto('/');
    // A token lives in sessionStorage, which a new tab does not share; the report needs the cookie.
    await page.getByTestId('signin-username').fill(users.analyst.username);
    await page.getByTestId('signin-password').fill(users.analyst.password);
    await page.getByTestId('signin-submit').click();
    await settled(page);
    const [report] = await Promise.all([page.context().waitForEvent('page'), page.getByTestId('report-link').click()]);
    report.on('console', (m) => {
      if (m.type() !== 'error') return;
      // Known: the report's <head> has no icon link, so Chromium asks for /favicon.ico and
      // gets a 404 (api/report/html.ts; reported to the lead). Anything else fails the test.
      if (/\/favicon\.ico$/.test(m.location().url)) return;
      tab.problems.push(`report console: ${m.text()} (${m.location().url})`);
    });
    report.on('pageerror', (e) => void tab.problems.push(`report page error: ${e.message}`));
    await report.waitForLoadState();
    expect(await report.locator('body').textContent()).toMatch(/retention/i);
  });
});
