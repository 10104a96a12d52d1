import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { refreshEpisodes } from '../../warehouse/models/refresh';

/**
 * A small deterministic program for the API tests, inserted with kysely (no ingest):
 * day 40 episodes, evening 30, weekend 5 (below the default min cell of 11, so a
 * suppressed group exists). Dates lie in 2025; tests pass as_of=2025-12-31.
 */
export const AS_OF = '2025-12-31';
export const TRACKS = [
  { track_code: 'day', name: 'Day IOP', level_of_care: 'iop', active: true, n: 40 },
  { track_code: 'evening', name: 'Evening IOP', level_of_care: 'iop', active: true, n: 30 },
  { track_code: 'weekend', name: 'Weekend IOP', level_of_care: 'op', active: false, n: 5 },
] as const;

const REASONS = ['completed', 'completed', 'dropped_out', 'transferred', 'against_advice', 'completed'] as const;

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export async function seedProgram(db: Kysely<DB>): Promise<void> {
  await db.insertInto('tracks').values(TRACKS.map(({ n: _n, ...t }) => t)).execute();
  let k = 0;
  for (const track of TRACKS) {
    for (let i = 0; i < track.n; i++, k++) {
      const patient = `P${String(k).padStart(4, '0')}`;
      const episode = `E${String(k).padStart(4, '0')}`;
      const admitted = addDays('2025-01-06', (k * 3) % 240);
      const open = k % 4 === 0;
      const stay = 21 + ((k * 7) % 70);
      const discharged = open ? null : addDays(admitted, stay);
      await db.insertInto('patients').values({ patient_id: patient, birth_year: 1960 + (k % 40), sex: k % 2 ? 'female' : 'male' }).execute();
      await db.insertInto('episodes').values({
        episode_id: episode, patient_id: patient, track_code: track.track_code, admitted_on: admitted,
        discharged_on: discharged, discharge_reason: open ? null : REASONS[k % REASONS.length] ?? 'other',
        primary_substance: k % 3 ? 'alcohol' : 'opioids',
      }).execute();
      const last = discharged ?? addDays(admitted, 60);
      const sessions = [];
      for (let d = 0, s = 0; addDays(admitted, d) <= last && s < 25; d += 3, s++) {
        sessions.push({ session_id: `${episode}-S${s}`, episode_id: episode, patient_id: patient, session_date: addDays(admitted, d), status: s % 5 === 4 ? 'no_show' : 'attended', session_type: 'group', minutes: 90 });
      }
      if (sessions.length) await db.insertInto('attendance').values(sessions).execute();
      const baseline = 12 + (k % 12);
      const scores = [{ patient_id: patient, instrument: 'PHQ-9', administered_on: admitted, total_score: baseline, episode_id: episode }];
      if (stay >= 28 || open) scores.push({ patient_id: patient, instrument: 'PHQ-9', administered_on: addDays(admitted, 28), total_score: Math.max(0, baseline - (k % 11)), episode_id: episode });
      await db.insertInto('assessments').values(scores).execute();
      const tests = [7, 14, 21].map((d, j) => ({
        patient_id: patient, collected_on: addDays(admitted, d), method: 'uds', substance: 'any',
        result: (k + j) % 7 === 0 ? 'positive' : 'negative', episode_id: episode,
      }));
      await db.insertInto('abstinence_tests').values(tests).execute();
    }
  }
  // One score that links to no episode, for the quality report.
  await db.insertInto('assessments').values({ patient_id: 'P0000', instrument: 'GAD-7', administered_on: '2024-01-01', total_score: 9, episode_id: null }).execute();
  await refreshEpisodes(db, 'all', AS_OF);
}
