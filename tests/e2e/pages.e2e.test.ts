import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { markCount, screenshot, settled, useBrowser } from './browser';
import { PAGE_CHARTS, PAGE_NAMES } from './fixtures';

const users = inject('e2eUsers');
const b = useBrowser();
const DOCS_IMG = fileURLToPath(new URL('../../docs/img/', import.meta.url));
/** The README shows these two (docs/img). */
const FOR_DOCS = new Set(['overview', 'retention']);
/**
 * The scatter counts episodes per exact (baseline, follow-up) score pair and drops pairs
 * under min_cell (docs/metrics.md "Small-cell suppression"); in a cohort this small nearly every
 * pair is under 11, so the card draws the binned counts (`scatter_bins`) instead, never nothing.
 */
const BINNED = new Set(['jt-scatter']);

describe('every page draws its charts (admin, all tracks)', () => {
  it('moves through the pages with the nav links and draws non-empty marks in every chart', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.goto('/');
    await settled(page);
    for (const name of PAGE_NAMES) {
      await page.getByTestId(`nav-${name}`).click();
      await settled(page);
      expect(await page.getByTestId(`nav-${name}`).getAttribute('aria-current')).toBe('page');
      expect(new URL(page.url()).searchParams.get('page') ?? 'overview').toBe(name);
      for (const chart of PAGE_CHARTS[name]) {
        const card = page.getByTestId(`chart-${chart}`);
        expect(await card.isVisible(), chart).toBe(true);
        if (chart === 'overview') {
          expect(await card.locator('tbody tr').count()).toBe(6);
          continue;
        }
        // chartCard marks the chart's own SVG role="img" (legends are SVGs too).
        await card.locator('svg[role="img"], .empty-state').first().waitFor();
        if (BINNED.has(chart)) expect(await card.locator('h3').textContent()).toMatch(/severity band/);
        expect(await card.locator('.empty-state').allTextContents(), `${chart} is empty`).toEqual([]);
        expect(await card.locator('svg[role="img"]').isVisible(), chart).toBe(true);
        expect(await markCount(page, chart), `marks in ${chart}`).toBeGreaterThan(3);
        if (chart === 'spc') {
          // the Anhøj rules spelled out under the chart, with their figures
          expect(await card.getByTestId('anhoej-rules').textContent()).toMatch(/n = \d+ useful points.*Longest run on one side of the centre line: \d+; the limit is \d+/s);
        }
      }
      const file = await screenshot(page, name);
      if (FOR_DOCS.has(name)) {
        fs.mkdirSync(DOCS_IMG, { recursive: true });
        fs.copyFileSync(file, path.join(DOCS_IMG, `${name}.png`));
      }
    }
  });

  it('goes back to the previous page with the browser history', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.goto('/?page=relapse');
    await settled(page);
    await page.getByTestId('nav-attendance').click();
    await settled(page);
    await page.getByTestId('chart-p-chart').waitFor();
    await page.goBack();
    await page.getByTestId('chart-km-relapse').waitFor();
    await settled(page);
    expect(new URL(page.url()).searchParams.get('page')).toBe('relapse');
  });
});
