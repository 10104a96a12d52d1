import { describe, expect, inject, it } from 'vitest';
import { chartSvg, markCount, settled, useBrowser } from './browser';
import { monthBefore } from './fixtures';

const users = inject('e2eUsers');
const asOf = inject('e2eAsOf');
const b = useBrowser();

describe('filters (URL state, refetch)', () => {
  it('narrows the retention page to one track: the URL and the charts change', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.goto('/?page=retention');
    await settled(page);
    const before = await chartSvg(page, 'km-retention');
    const barsBefore = await page.getByTestId('chart-discharge-reasons').locator('svg rect').count();

    await page.getByTestId('filter-track-evening').check();
    await settled(page);
    expect(new URL(page.url()).searchParams.getAll('track')).toEqual(['evening']);
    expect(new URL(page.url()).searchParams.get('page')).toBe('retention');
    const after = await chartSvg(page, 'km-retention');
    expect(after).not.toBe(before);
    expect(await markCount(page, 'km-retention')).toBeGreaterThan(3);
    expect(await page.getByTestId('chart-discharge-reasons').locator('svg rect').count()).toBeLessThan(barsBefore);

    // A reload reopens exactly this view: the URL holds it all.
    await page.reload();
    await settled(page);
    expect(await page.getByTestId('filter-track-evening').isChecked()).toBe(true);
    expect(await chartSvg(page, 'km-retention')).toBe(after);
  });

  it('narrows to one site from the scoped site list: the requests, the URL and the charts change', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.goto('/?page=retention');
    await settled(page);
    const before = await chartSvg(page, 'km-retention');
    const site = page.getByTestId('filter-site');
    // the list arrives after the first chart (it never delays it)
    await site.locator('option').first().waitFor({ state: 'attached' });
    const options = await site.locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(options.length, 'the demo cohort has sites').toBeGreaterThan(1);
    const chosen = options[0] ?? '';

    const request = page.waitForRequest((r) => r.url().includes('/api/v1/metrics/retention?'));
    await site.selectOption([chosen]);
    const sent = new URL((await request).url());
    await settled(page);
    expect(sent.searchParams.getAll('site')).toEqual([chosen]);
    expect(new URL(page.url()).searchParams.getAll('site')).toEqual([chosen]);
    const after = await chartSvg(page, 'km-retention');
    expect(after).not.toBe(before);
    expect(await markCount(page, 'km-retention')).toBeGreaterThan(3);

    // A two-way grouping by site and sex: the request says so and the chart has more groups.
    await page.getByTestId('filter-group-by').selectOption('site');
    await settled(page);
    const twoWay = page.waitForRequest((r) => r.url().includes('/api/v1/metrics/retention?'));
    await page.getByTestId('filter-group-by-2').selectOption('sex');
    const q = new URL((await twoWay).url()).searchParams;
    expect([q.get('group_by'), q.getAll('site')]).toEqual(['site,sex', [chosen]]);
    await settled(page);
    expect(new URL(page.url()).searchParams.get('group_by')).toBe('site,sex');
    expect(await markCount(page, 'km-retention')).toBeGreaterThan(3);

    await page.reload();
    await settled(page);
    await page.getByTestId('filter-site').locator('option').nth(1).waitFor({ state: 'attached' });
    expect(await page.getByTestId('filter-site').evaluate((e) => [...(e as HTMLSelectElement).selectedOptions].map((o) => o.value))).toEqual([chosen]);
  });

  it('suggests the recorded race and substance values (GET /dimension-values), and a suggestion filters the requests', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.goto('/?page=retention');
    await settled(page);
    // the values arrive with the site and clinician lists, after the first chart
    await page.getByTestId('filter-race-values').locator('option').first().waitFor({ state: 'attached' });
    const races = await page.getByTestId('filter-race-values').locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(races.length, 'the demo cohort records races').toBeGreaterThan(1);
    expect(races).toEqual([...races].sort());
    for (const r of races) expect(r).toBe(r.toLowerCase());
    expect(await page.getByTestId('filter-substance-values').locator('option').count()).toBeGreaterThan(0);
    await page.getByTestId('filter-patient').locator('summary').click();
    const request = page.waitForRequest((r) => r.url().includes('/api/v1/metrics/retention?'));
    await page.getByTestId('filter-race').fill(races[0] ?? '');
    await page.getByTestId('filter-race').press('Enter');
    await page.getByTestId('filter-race').blur();
    expect(new URL((await request).url()).searchParams.getAll('race')).toEqual([races[0]]);
    await settled(page);
  });

  it('regroups by sex and by admission period, writing group_by and period into the URL', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.goto('/?page=relapse');
    await settled(page);
    const before = await chartSvg(page, 'relapse-rate');

    await page.getByTestId('filter-group-by').selectOption('sex');
    await settled(page);
    expect(new URL(page.url()).searchParams.get('group_by')).toBe('sex');
    expect(await chartSvg(page, 'relapse-rate')).not.toBe(before);

    await page.getByTestId('filter-group-by').selectOption('period');
    await settled(page);
    await page.getByTestId('filter-period').selectOption('year');
    await settled(page);
    const q = new URL(page.url()).searchParams;
    expect([q.get('group_by'), q.get('period')]).toEqual(['period', 'year']);
    expect(await markCount(page, 'relapse-rate')).toBeGreaterThan(0);
  });

  it('filters by admission dates and switches the symptoms instrument', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.goto('/?page=symptoms');
    await settled(page);
    const before = await chartSvg(page, 'trajectory');
    const { from } = monthBefore(asOf, 12);
    await page.getByTestId('filter-from').fill(from);
    await settled(page);
    expect(new URL(page.url()).searchParams.get('from')).toBe(from);
    expect(await chartSvg(page, 'trajectory')).not.toBe(before);

    const options = await page.getByTestId('filter-instrument').locator('option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    const other = options.find((o) => o !== 'PHQ-9');
    expect(other, `instruments: ${options.join(', ')}`).toBeDefined();
    await page.getByTestId('filter-instrument').selectOption(other ?? '');
    await settled(page);
    expect(new URL(page.url()).searchParams.get('instrument')).toBe(other);
    expect(await page.locator('main h2').textContent()).toContain('Symptoms');
    expect(await markCount(page, 'trajectory')).toBeGreaterThan(0);
  });
});

describe('small-cell suppression in the browser', () => {
  it('shows "<11" for the tracks with few admissions in one month, at the default min cell', async () => {
    const { page } = await b.open({ as: users.admin });
    const { from, to } = monthBefore(asOf, 6);
    await page.goto(`/?from=${from}&to=${to}`);
    await settled(page);
    const cells = page.getByTestId('overview-table').locator('[data-suppressed="true"]');
    expect(await cells.count()).toBeGreaterThan(0);
    expect(new Set(await cells.allTextContents())).toEqual(new Set(['<11']));
    const title = await cells.first().locator('abbr').getAttribute('title');
    expect(title).toMatch(/11/);
  });
});
