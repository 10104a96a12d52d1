import { describe, expect, it, beforeAll } from 'vitest';
import { sql } from 'kysely';
import { PROGRESS_REFIT_MIN_EPISODES } from '../../warehouse/rules';
import { useTestDatabase } from '../harness/database';
import { seedProgram } from '../api/seed';
import { iop } from './cli';

/**
 * docs/progress.md "Stored fits": `iop refresh` refits an instrument's alert model when
 * the data version changed since its latest stored fit, and only for instruments with
 * at least PROGRESS_REFIT_MIN_EPISODES scored episodes.
 */
const t = useTestDatabase();

beforeAll(async () => {
  await seedProgram(t.wh.db); // 75 episodes with PHQ-9 scores; GAD-7 has one score on no episode
});

const fits = async () => (await sql<{ instrument: string; data_version: string }>`select instrument, data_version from progress_fits order by fit_id`.execute(t.wh.db)).rows;

describe('iop refresh refits the progress models', () => {
  it('fits PHQ-9 once, keeps it while the data version stays, refits after a batch finishes', async () => {
    expect(PROGRESS_REFIT_MIN_EPISODES).toBeLessThanOrEqual(75);
    const first = iop(t.url, ['refresh']);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/progress fit PHQ-9: refitted \(fit \d+, 75 episodes/);
    expect(first.stdout).toContain('progress fit GAD-7: not fitted (0 episodes with scores)');
    expect((await fits()).map((f) => f.instrument)).toEqual(['PHQ-9']);

    const second = iop(t.url, ['refresh']);
    expect(second.stdout).toMatch(/progress fit PHQ-9: current/);
    expect(await fits()).toHaveLength(1);

    await sql`insert into ingest_batches (batch_id, entity, source_name, file_sha256, status, finished_at)
      values (gen_random_uuid(), 'assessments', 'test', 'x', 'committed', now())`.execute(t.wh.db);
    const third = iop(t.url, ['refresh', '--no-progress']);
    expect(third.stdout).not.toContain('progress fit');
    const fourth = iop(t.url, ['refresh']);
    expect(fourth.stdout).toMatch(/progress fit PHQ-9: refitted/);
    const all = await fits();
    expect(all).toHaveLength(2);
    expect(all[1]?.data_version).not.toBe(all[0]?.data_version);
  }, 240_000);
});

describe('docs/progress.md states the rules as the code has them', () => {
  it('the refit minimum, the tolerance level, the last modelled week', async () => {
    const { readFileSync } = await import('node:fs');
    const { TOLERANCE_LEVEL } = await import('../../metrics/progress/expected');
    const { LAST_WEEK } = await import('../../warehouse/rules');
    const doc = readFileSync(new URL('../../docs/progress.md', import.meta.url), 'utf8');
    expect(doc).toContain(`at least ${PROGRESS_REFIT_MIN_EPISODES} scored episodes`);
    expect(doc).toContain(`${TOLERANCE_LEVEL * 100}% limit`);
    expect(doc).toContain(`After the last modelled week\n  (${LAST_WEEK})`);
    expect(doc).toContain(`weeks 0–${LAST_WEEK}`);
  });
});
