import { describe, expect, inject, it } from 'vitest';
import { settled, signInWithPassword, useBrowser } from './browser';

const users = inject('e2eUsers');
const b = useBrowser();

describe('signing in (real server, Chromium)', () => {
  it('shows the sign-in form without probing the API, then the overview after the right password', async () => {
    const { page } = await b.open();
    const apiCalls: string[] = [];
    page.on('request', (r) => void (r.url().includes('/api/') && apiCalls.push(new URL(r.url()).pathname)));
    await page.goto('/');
    await page.getByTestId('signin-form').waitFor();
    expect(apiCalls).toEqual([]);

    await signInWithPassword(page, users.admin);
    await settled(page);
    await expect.poll(() => page.getByTestId('user').textContent()).toBe('admin (admin; all tracks)');
    expect(await page.getByTestId('overview-table').locator('tbody tr').count()).toBe(6);

    // The session cookie carries a reload; the page no longer asks for a password.
    await page.reload();
    await settled(page);
    expect(await page.getByTestId('signin-form').count()).toBe(0);
    expect(await page.getByTestId('user').textContent()).toContain('admin');
  });

  it('says so on a wrong password and stays on the sign-in form', async () => {
    const tab = await b.open();
    // The server's 401 is logged by Chromium as a failed resource load; it is the point of this test.
    tab.expectError(/status of 401.*\/api\/v1\/session/);
    await tab.page.goto('/');
    await signInWithPassword(tab.page, { username: users.admin.username, password: 'not-the-password' });
    await expect.poll(() => tab.page.getByTestId('signin-error').textContent()).toBe('Wrong username or password.');
    expect(await tab.page.getByTestId('signin-form').isVisible()).toBe(true);
    expect(await tab.page.getByTestId('nav-overview').count()).toBe(0);
  });

  it('signs in with a pasted API token and signs out again', async () => {
    const { page } = await b.open();
    await page.goto('/');
    await page.getByTestId('signin-token').fill(users.analyst.token);
    await page.getByTestId('signin-token-submit').click();
    await settled(page);
    expect(await page.getByTestId('user').textContent()).toBe('analyst (analyst; all tracks)');

    await page.getByTestId('signout').click();
    await page.getByTestId('signin-form').waitFor();
    expect(await page.evaluate(() => window.sessionStorage.getItem('iop.token'))).toBeNull();
  });

  it('ends a password session on sign-out, so a reload asks again', async () => {
    const { page } = await b.open();
    await page.goto('/?page=retention');
    await signInWithPassword(page, users.viewer);
    await settled(page);
    await page.getByTestId('signout').click();
    await page.getByTestId('signin-form').waitFor();
    await page.reload();
    await page.getByTestId('signin-form').waitFor();
    expect(await page.getByTestId('user').count()).toBe(0);
  });
});

describe('a viewer (password sign-in) sees only its track', () => {
  it('offers only the day track and shows only the day row', async () => {
    const { page } = await b.open();
    await page.goto('/');
    await signInWithPassword(page, users.viewer);
    await settled(page);
    expect(await page.getByTestId('user').textContent()).toBe('dayviewer (viewer; tracks: day)');
    const boxes = page.getByTestId('filter-tracks').locator('input[type="checkbox"]');
    expect(await boxes.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual(['filter-track-day']);
    const rows = page.getByTestId('overview-table').locator('tbody tr');
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-track')))).toEqual(['day']);
  });

  it('drops other tracks from a shared link', async () => {
    const { page } = await b.open({ as: users.viewer });
    await page.goto('/?page=retention&track=evening&track=day');
    await settled(page);
    expect(await page.getByTestId('filter-track-day').isChecked()).toBe(true);
    expect(await page.getByTestId('filter-track-evening').count()).toBe(0);
    const legend = await page.getByTestId('chart-km-retention').textContent();
    expect(legend).not.toContain('Evening');
  });
});
