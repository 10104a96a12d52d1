import zlib from 'node:zlib';
import { describe, expect, inject, it } from 'vitest';
import { screenshot, useBrowser } from './browser';

const users = inject('e2eUsers');
const b = useBrowser();

/**
 * The pages of a PDF and the text-drawing operators in each page's content streams, read with
 * nothing but zlib: Chromium writes each page as a `/Type /Page` object whose `/Contents` are
 * Flate-compressed streams.
 */
function pdfPages(pdf: Buffer): { textOps: number; bytes: number }[] {
  const text = pdf.toString('latin1');
  const objects = new Map<string, string>();
  for (const m of text.matchAll(/(\d+) 0 obj([\s\S]*?)endobj/g)) objects.set(m[1] ?? '', m[2] ?? '');
  const content = (id: string): string => {
    const body = objects.get(id) ?? '';
    const start = body.indexOf('stream');
    if (start < 0) return '';
    const raw = Buffer.from(body.slice(start + 'stream'.length).replace(/^\r?\n/, '').replace(/\r?\nendstream[\s\S]*$/, ''), 'latin1');
    try {
      return zlib.inflateSync(raw).toString('latin1');
    } catch {
      return raw.toString('latin1');
    }
  };
  return [...objects.values()].filter((o) => /\/Type\s*\/Page\b/.test(o)).map((o) => {
    const refs = [...(/\/Contents\s*(\[[^\]]*\]|\d+ 0 R)/.exec(o)?.[1] ?? '').matchAll(/(\d+) 0 R/g)].map((r) => r[1] ?? '');
    const ops = refs.map(content).join('\n');
    return { textOps: (ops.match(/\bTJ\b|\bTj\b/g) ?? []).length, bytes: ops.length };
  });
}

describe('the printable report in Chromium (print to PDF)', () => {
  it('renders every headline figure, and prints to a stable number of pages that all have content', async () => {
    const { page, context } = await b.open();
    await context.setExtraHTTPHeaders({ authorization: `Bearer ${users.admin.token}` });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto('/api/v1/report?format=html');
    const figures = page.locator('figure[data-figure]');
    expect(await figures.count()).toBe(6);
    for (const f of await figures.all()) {
      const box = await f.locator('svg').boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(200);
      expect(box?.height ?? 0).toBeGreaterThan(60);
      expect(await f.locator('svg rect').count()).toBeGreaterThan(3);
    }
    expect(await page.locator('body').textContent()).not.toMatch(/p = < 0\.001|docs\/metrics\.md/);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    const pages = pdfPages(pdf);
    await screenshot(page, 'report');
    // 6 tracks, 6 figures, 6 tables with definitions, the standard measures (nine, each a table with its
    // definition), completeness and references: 11 A4 pages in this cohort (6 before the measures section).
    expect(pages.length).toBeGreaterThanOrEqual(9);
    expect(pages.length).toBeLessThanOrEqual(13);
    for (const [i, p] of pages.entries()) expect(p.textOps, `page ${i + 1} has text`).toBeGreaterThan(0);
  });
});
