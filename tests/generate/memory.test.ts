import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCohort } from '../../tools/generate/index';

describe('generate streams rows to disk', () => {
  it('keeps heap growth modest while writing 20,000 episodes (about 1.4M rows)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iop-generate-mem-'));
    try {
      const heap: number[] = [];
      const summary = await generateCohort({
        episodes: 20_000,
        seed: 1,
        outDir: dir,
        asOf: '2026-11-23',
        onProgress: () => heap.push(process.memoryUsage().heapUsed),
      });
      const rows = summary.files.reduce((a, f) => a + f.rows, 0);
      expect(rows).toBeGreaterThan(1_000_000);
      // Holding the rows would take well over 100 MB of strings; streaming keeps a few chunks.
      const growth = Math.max(...heap) - (heap[0] ?? 0);
      expect(growth).toBeLessThan(60 * 1024 * 1024);
      expect(heap.length).toBeGreaterThanOrEqual(19);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
