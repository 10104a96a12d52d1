import { describe, expect, it } from 'vitest';
import { startScheduler } from '../../ingest/jobs/scheduler';
import { cronSchedule } from '../../ingest/jobs/schedule';

// The scheduler against its Schedule interface: a job never overlaps itself, and stop()
// waits for the run in progress.
describe('scheduler', () => {
  it('runs a job on its schedule without overlapping itself, and stop() waits for the run in progress', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let finished = 0;
    const every20ms = () => ({ next: (after: Date) => new Date(after.getTime() + 20) });
    const s = startScheduler([{ name: 'slow', schedule: 'ignored' }], async () => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 60));
      active--;
      finished++;
    }, { schedule: every20ms });
    await new Promise((r) => setTimeout(r, 300));
    await s.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(maxActive).toBe(1);
    expect(finished).toBe(runs);
    const after = runs;
    await new Promise((r) => setTimeout(r, 100));
    expect(runs).toBe(after);
  });

  it('plans the next run from the cron expression (croner)', () => {
    expect(cronSchedule('0 2 * * *').next(new Date('2026-03-01T03:00:00Z'))?.getUTCHours()).toBe(2);
  });
});
