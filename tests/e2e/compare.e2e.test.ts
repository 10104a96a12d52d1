import { describe, expect, inject, it } from 'vitest';
import { markCount, screenshot, settled, useBrowser } from './browser';

// The Compare page (docs/comparisons.md) in Chromium on the demo cohort; useBrowser fails the
// test on any console or page error.
const users = inject('e2eUsers');
const b = useBrowser();

describe('Compare page', () => {
  it('draws the funnel plot, the model table and the equity charts, and follows the outcome and unit selectors', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.goto('/');
    await settled(page);
    await page.getByTestId('nav-compare').click();
    await settled(page);
    expect(new URL(page.url()).searchParams.get('page')).toBe('compare');

    const funnel = page.getByTestId('chart-funnel');
    await funnel.locator('svg[role="img"]').waitFor();
    expect(await funnel.locator('.empty-state').count()).toBe(0);
    expect(await markCount(page, 'funnel'), 'marks in the funnel plot').toBeGreaterThan(3);
    // The four limit curves and one dot per unit with an O/E.
    expect(await funnel.locator('g[aria-label="line"] path').count()).toBe(4);
    expect(await funnel.locator('g[aria-label="dot"] circle').count()).toBeGreaterThan(0);
    expect(await funnel.locator('table.unit-table tbody tr').count()).toBeGreaterThan(0);

    const model = page.getByTestId('chart-model');
    expect(await model.locator('table.model-table tbody tr').first().getAttribute('data-term')).toBe('(Intercept)');
    expect(await model.locator('table.model-fit').textContent()).toContain('c-statistic');

    for (const by of ['race', 'ethnicity']) expect(await page.getByTestId(`chart-equity-${by}`).isVisible(), by).toBe(true);
    await screenshot(page, 'compare');

    await page.getByTestId('filter-outcome').selectOption('positive_discharge');
    await settled(page);
    expect(new URL(page.url()).searchParams.get('outcome')).toBe('positive_discharge');
    expect(await page.getByTestId('chart-funnel').locator('h3').textContent()).toContain('positive discharge');
    await page.getByTestId('filter-by').selectOption('clinician');
    await settled(page);
    expect(new URL(page.url()).searchParams.get('by')).toBe('clinician');
    expect(await page.getByTestId('chart-funnel').locator('h3').textContent()).toContain('by clinician');
  });

  it('shows a viewer only the units of its tracks, with the likelihood sums withheld as "–"', async () => {
    const { page } = await b.open({ as: users.viewer });
    await page.goto('/?page=compare');
    await settled(page);
    const funnel = page.getByTestId('chart-funnel');
    await funnel.locator('table.unit-table').waitFor();
    // The viewer is limited to the day track (tests/e2e/fixtures.ts).
    expect(await funnel.locator('table.unit-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-unit')))).toEqual(['day']);
    const fit = await page.getByTestId('chart-model').locator('table.model-fit').textContent();
    expect(fit).toContain('Residual deviance–');
    expect(fit).toContain('AIC–');
  });
});
