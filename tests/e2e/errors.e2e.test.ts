import { describe, expect, inject, it } from 'vitest';
import { markCount, settled, useBrowser } from './browser';

const users = inject('e2eUsers');
const b = useBrowser();

describe('API failures show a message, never a blank page', () => {
  it('shows the server error of a failing metric and recovers with "Try again"', async () => {
    const tab = await b.open({ as: users.admin });
    const { page } = tab;
    tab.expectError(/status of 500.*\/api\/v1\/metrics\/retention/);
    await page.route('**/api/v1/metrics/retention?*', (route) =>
      route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'Injected failure' }) }));
    await page.goto('/?page=retention');
    await settled(page);
    const error = page.getByTestId('error');
    expect(await error.textContent()).toContain('The server answered 500: Injected failure');
    // The header and filters stay usable around the message.
    expect(await page.getByTestId('nav-overview').isVisible()).toBe(true);
    expect(await page.getByTestId('filters').isVisible()).toBe(true);

    await page.unroute('**/api/v1/metrics/retention?*');
    await error.getByRole('button', { name: 'Try again' }).click();
    await settled(page);
    expect(await page.getByTestId('error').count()).toBe(0);
    expect(await markCount(page, 'km-retention')).toBeGreaterThan(3);
  });

  it('explains a non-JSON gateway error on start-up', async () => {
    const tab = await b.open({ as: users.admin });
    const { page } = tab;
    tab.expectError(/status of 502.*\/api\/v1\/tracks/);
    await page.route('**/api/v1/tracks', (route) => route.fulfill({ status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' }));
    await page.goto('/');
    const error = page.getByTestId('error');
    await error.waitFor();
    expect(await error.textContent()).toContain('The server answered 502');
    expect((await page.locator('#app').innerText()).trim()).not.toBe('');
  });

  it('sends the user back to sign-in when the session ends mid-visit', async () => {
    const tab = await b.open({ as: users.admin });
    const { page } = tab;
    await page.goto('/');
    await settled(page);
    // The token is revoked on the server: from now on every API call answers 401.
    tab.expectError(/status of 401.*\/api\/v1\/metrics\//);
    let calls = 0;
    await page.route('**/api/v1/**', (route) => {
      calls += 1;
      return route.fulfill({ status: 401, contentType: 'application/json', body: JSON.stringify({ error: 'Unauthorized' }) });
    });
    await page.getByTestId('nav-retention').click();
    await page.getByTestId('signin-form').waitFor();
    expect(await page.getByTestId('signin-error').textContent()).toBe('Your session has ended; please sign in again.');
    // The dead token is forgotten, so the page does not keep asking the server.
    expect(await page.evaluate(() => window.sessionStorage.getItem('iop.token'))).toBeNull();
    await page.waitForTimeout(300);
    expect(calls).toBeLessThanOrEqual(2);
  });
});
