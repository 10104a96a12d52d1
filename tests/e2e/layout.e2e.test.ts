import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { screenshot, settled, useBrowser } from './browser';
import { PAGE_NAMES } from './fixtures';

// Issue 18 item 6: no two labels of a chart overlap, no axis label sits on its tick labels, and
// every page fits 1280 px (and an A4 page in print) without horizontal overflow. Measured in
// Chromium, on every page of the nav, from the rendered boxes of each chart's SVG text.
const users = inject('e2eUsers');
const b = useBrowser();

/** Every page of the nav: the chart pages and Compare. */
const PAGES = [...PAGE_NAMES, 'compare'] as const;
/** Boxes may touch, or overlap by the 1 px that antialiasing and rounding make. */
const TOLERANCE = 1;
/** The printable width of A4 with the 14 mm margins of styles.css (@page), in CSS px. */
const A4_PRINT_WIDTH = Math.floor(((210 - 2 * 14) / 25.4) * 96);

interface Overlap {
  chart: string;
  a: string;
  b: string;
}

interface Layout {
  overlaps: Overlap[];
  /** Text outside its chart's box or the window on the left or the right (cut off, or hidden until scrolled). */
  outside: { chart: string; text: string; left: number; right: number }[];
  /** The outermost elements wider than the window. */
  wide: string[];
  scrollWidth: number;
  clientWidth: number;
}

/** The page's text boxes per chart SVG, compared pairwise in the page (one evaluate, no round trips). */
function measure(page: Page): Promise<Layout> {
  return page.evaluate((tolerance) => {
    const overlaps: Overlap[] = [];
    const outside: Layout['outside'] = [];
    const width = document.documentElement.clientWidth;
    for (const card of document.querySelectorAll<HTMLElement>('[data-testid^="chart-"]')) {
      const chart = card.dataset.testid ?? '';
      for (const svg of card.querySelectorAll('svg')) {
        // A mark's tooltip is a <title> child of its text: not drawn, not part of the label.
        const own = (t: SVGTextElement) => [...t.childNodes].filter((n) => n.nodeName.toLowerCase() !== 'title').map((n) => n.textContent ?? '').join('').trim();
        const boxes = [...svg.querySelectorAll('text')]
          .filter((t) => own(t) !== '')
          .map((t) => ({ text: own(t), r: t.getBoundingClientRect(), style: getComputedStyle(t) }))
          .filter(({ r, style }) => r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none' && style.opacity !== '0');
        // The chart's box scrolls (overflow-x: auto), so a label past its edge is cut off, as one past the window.
        const frame = (svg.closest('.chart') ?? document.documentElement).getBoundingClientRect();
        const [left, right] = [Math.max(0, frame.left), Math.min(width, frame.right)];
        for (const x of boxes) {
          if (x.r.left < left - tolerance || x.r.right > right + tolerance) outside.push({ chart, text: x.text, left: Math.round(x.r.left), right: Math.round(x.r.right) });
        }
        for (let i = 0; i < boxes.length; i++) {
          for (let j = i + 1; j < boxes.length; j++) {
            const p = (boxes[i] as (typeof boxes)[number]).r;
            const q = (boxes[j] as (typeof boxes)[number]).r;
            const w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
            const h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
            if (w > tolerance && h > tolerance) overlaps.push({ chart, a: boxes[i]?.text ?? '', b: boxes[j]?.text ?? '' });
          }
        }
      }
    }
    // The outermost elements that stick out on the right, to name the culprit of an overflow.
    const wide = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((e) => e.getBoundingClientRect().right > width + tolerance && !(e.parentElement && e.parentElement.getBoundingClientRect().right > width + tolerance))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}${e.className && typeof e.className === 'string' ? `.${e.className.split(' ').join('.')}` : ''} in ${e.closest('[data-testid]')?.getAttribute('data-testid') ?? 'the page'} (${Math.round(e.getBoundingClientRect().right)} px)`);
    return { overlaps, outside, wide, scrollWidth: document.documentElement.scrollWidth, clientWidth: width };
  }, TOLERANCE);
}

async function visit(page: Page, name: string, query = ''): Promise<void> {
  await page.goto(name === 'overview' ? `/?${query}` : `/?page=${name}${query ? `&${query}` : ''}`);
  await settled(page);
  await page.locator('main svg[role="img"], main .empty-state').first().waitFor();
}

/** Every problem of a page as one line each, so a failure lists all the pages at once. */
function problems(layout: Layout, where: string): string[] {
  return [
    ...layout.overlaps.map((o) => `${where}: ${o.chart}: "${o.a}" overlaps "${o.b}"`),
    ...layout.outside.map((o) => `${where}: ${o.chart}: "${o.text}" is cut off (${o.left}–${o.right} px)`),
    ...(layout.scrollWidth > layout.clientWidth ? [`${where}: the page is ${layout.scrollWidth} px wide in a ${layout.clientWidth} px window: ${layout.wide.join('; ')}`] : []),
  ];
}

describe('layout: labels and page width', () => {
  it('draws no overlapping chart labels and no horizontal overflow at 1280 px on every page', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.setViewportSize({ width: 1280, height: 900 });
    const found: string[] = [];
    for (const name of PAGES) {
      await visit(page, name);
      found.push(...problems(await measure(page), `${name} at 1280 px`));
      await screenshot(page, `layout-${name}`);
    }
    expect(found).toEqual([]);
  }, 120_000);

  it('keeps the labels apart with a two-way grouping (site × sex: more groups, longer names)', async () => {
    const { page } = await b.open({ as: users.admin });
    const found: string[] = [];
    for (const name of ['retention', 'symptoms', 'relapse', 'attendance', 'measures', 'followup'] as const) {
      await visit(page, name, 'group_by=site,sex');
      found.push(...problems(await measure(page), `${name} by site × sex`));
      await screenshot(page, `layout-two-way-${name}`);
    }
    expect(found).toEqual([]);
  }, 120_000);

  it('keeps the same in print (print media, A4 width)', async () => {
    const { page } = await b.open({ as: users.admin });
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: A4_PRINT_WIDTH, height: 1100 });
    const found: string[] = [];
    for (const name of PAGES) {
      await visit(page, name);
      found.push(...problems(await measure(page), `${name} in print`));
      await screenshot(page, `layout-print-${name}`);
    }
    expect(found).toEqual([]);
  }, 120_000);
});
