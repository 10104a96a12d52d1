import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { seedProgram } from '../api/seed';

/**
 * The small API program (tests/api/seed.ts: day 40, evening 30, weekend 5 episodes,
 * admitted in 2025) with what the depression measures need: diagnoses (most F32.1, some
 * with an exclusion F31.9, some with none) and a PHQ-9 about 6 and 12 months after the
 * index, linked to no episode, for most patients. Read the measures at MEASURE_AS_OF,
 * after every window has closed.
 */
export const MEASURE_AS_OF = '2026-12-31';

export async function seedMeasures(db: Kysely<DB>): Promise<void> {
  await seedProgram(db);
  await sql`update episodes set diagnoses = case
      when substr(episode_id, 2)::int % 13 = 0 then array['F32.1', 'F31.9']
      when substr(episode_id, 2)::int % 17 = 0 then null
      when substr(episode_id, 2)::int % 4 = 0 then array['F33.1']
      else array['F32.1'] end`.execute(db);
  // A follow-up PHQ-9 around 6 months (k % 5 ≠ 0) and 12 months (k % 3 ≠ 0) after admission, a few days off.
  await sql`insert into assessments (patient_id, instrument, administered_on, total_score, episode_id)
    select e.patient_id, 'PHQ-9', (e.admitted_on + interval '6 months')::date + (k % 7 - 3) * 5, k % 9, null
    from episodes e cross join lateral (select substr(e.episode_id, 2)::int as k) x where k % 5 <> 0
    union all
    select e.patient_id, 'PHQ-9', (e.admitted_on + interval '12 months')::date + (k % 5 - 2) * 7, (k * 7) % 13, null
    from episodes e cross join lateral (select substr(e.episode_id, 2)::int as k) x where k % 3 <> 0`.execute(db);
}
