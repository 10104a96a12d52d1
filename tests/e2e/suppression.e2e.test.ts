import { describe, expect, inject, it } from 'vitest';
import { settled, useBrowser } from './browser';
import { monthBefore } from './fixtures';

const users = inject('e2eUsers');
const asOf = inject('e2eAsOf');
const b = useBrowser();

/** One week of admissions six months back: a handful of episodes a track, so every track's counts fall under min_cell 11. */
function oneWeek(): { from: string; to: string } {
  const { from } = monthBefore(asOf, 6);
  const to = new Date(`${from}T00:00:00Z`);
  to.setUTCDate(to.getUTCDate() + 6);
  return { from, to: to.toISOString().slice(0, 10) };
}

describe('suppression is always visible (docs/metrics.md "Small-cell suppression")', () => {
  it('marks a suppressed engagement value "<11" in place, with the rule as its tooltip, on the attendance page and the overview', async () => {
    const { page } = await b.open({ as: users.admin });
    const { from, to } = oneWeek();
    await page.goto(`/?page=attendance&from=${from}&to=${to}`);
    await settled(page);
    const iet = page.getByTestId('chart-iet');
    const engagement = iet.locator('.suppressed-marker text', { has: page.locator('title', { hasText: /, Engagement: Suppressed/ }) });
    expect(await engagement.count()).toBeGreaterThan(0);
    expect((await engagement.first().textContent())?.startsWith('<11')).toBe(true);
    expect(await engagement.first().isVisible()).toBe(true);

    await page.getByTestId('nav-overview').click();
    await settled(page);
    const panel = page.getByTestId('chart-overview-engagement').locator('.suppressed-marker text');
    expect(await panel.count()).toBeGreaterThan(0);
    expect((await panel.first().textContent())?.startsWith('<11')).toBe(true);
    expect(await panel.first().isVisible()).toBe(true);
  });
});
