import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { refreshEpisodes } from '../../warehouse/models/refresh';

/**
 * The program of issue 20 item 2, on which the three differencing attacks work
 * against per-response suppression. Track `day` (the test viewer's scope):
 * - 93 episodes admitted 2025-01-01 … 2025-06-01 and one more on 2025-06-02, who
 *   completed: `to=2025-06-01` vs `to=2025-06-02` differ by exactly one client;
 * - substances: 7 cocaine (a suppressed group), the rest alcohol or opioids;
 * - 4 episodes still open on 2025-12-31: the report withholds them, while
 *   completion publishes n and discharged.
 * Track `evening` holds 30 more episodes, outside the viewer's scope.
 */
export const DISCLOSURE_AS_OF = '2025-12-31';
export const SMALL = { dayDifference: 1, cocaine: 7, open: 4 } as const;

const REASONS = ['completed', 'dropped_out', 'completed', 'transferred', 'against_advice'] as const;

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

interface Episode {
  track: string;
  admitted: string;
  discharged: string | null;
  reason: string | null;
  substance: string;
}

function episodes(): Episode[] {
  const out: Episode[] = [];
  for (let i = 0; i < 93; i++) {
    const admitted = addDays('2025-01-01', Math.floor((i * 151) / 92));
    const open = i < SMALL.open;
    out.push({
      track: 'day', admitted,
      discharged: open ? null : addDays(admitted, 20 + ((i * 13) % 60)),
      reason: open ? null : REASONS[i % REASONS.length] ?? 'other',
      substance: i % 13 === 5 && out.filter((e) => e.substance === 'cocaine').length < SMALL.cocaine ? 'cocaine' : i % 3 ? 'alcohol' : 'opioids',
    });
  }
  out.push({ track: 'day', admitted: '2025-06-02', discharged: '2025-06-30', reason: 'completed', substance: 'alcohol' });
  for (let i = 0; i < 30; i++) {
    out.push({ track: 'evening', admitted: addDays('2025-02-01', i * 4), discharged: addDays('2025-02-01', i * 4 + 40), reason: 'completed', substance: 'alcohol' });
  }
  return out;
}

export async function seedDisclosureProgram(db: Kysely<DB>): Promise<void> {
  await db.insertInto('tracks').values([
    { track_code: 'day', name: 'Day IOP', level_of_care: 'iop', active: true },
    { track_code: 'evening', name: 'Evening IOP', level_of_care: 'iop', active: true },
  ]).execute();
  const all = episodes();
  if (all.filter((e) => e.substance === 'cocaine').length !== SMALL.cocaine) throw new Error('seed: the cocaine group must hold 7 episodes');
  for (const [k, e] of all.entries()) {
    const patient = `P${String(k).padStart(4, '0')}`;
    const episode = `E${String(k).padStart(4, '0')}`;
    await db.insertInto('patients').values({ patient_id: patient, birth_year: 1960 + (k % 40), sex: k % 2 ? 'female' : 'male' }).execute();
    await db.insertInto('episodes').values({
      episode_id: episode, patient_id: patient, track_code: e.track, admitted_on: e.admitted,
      discharged_on: e.discharged, discharge_reason: e.reason, primary_substance: e.substance,
    }).execute();
    const last = e.discharged ?? addDays(e.admitted, 60);
    const sessions = [];
    for (let d = 0, s = 0; addDays(e.admitted, d) <= last && s < 20; d += 3, s++) {
      sessions.push({ session_id: `${episode}-S${s}`, episode_id: episode, patient_id: patient, session_date: addDays(e.admitted, d), status: s % 5 === 4 ? 'no_show' : 'attended', session_type: 'group', minutes: 90 });
    }
    await db.insertInto('attendance').values(sessions).execute();
    const baseline = 12 + (k % 12);
    await db.insertInto('assessments').values([
      { patient_id: patient, instrument: 'PHQ-9', administered_on: e.admitted, total_score: baseline, episode_id: episode },
      { patient_id: patient, instrument: 'PHQ-9', administered_on: addDays(e.admitted, 19), total_score: Math.max(0, baseline - (k % 11)), episode_id: episode },
    ]).execute();
    await db.insertInto('abstinence_tests').values([7, 14, 21].map((d, j) => ({
      patient_id: patient, collected_on: addDays(e.admitted, d), method: 'uds', substance: 'any',
      result: (k + j) % 7 === 0 ? 'positive' : 'negative', episode_id: episode,
    }))).execute();
  }
  await refreshEpisodes(db, 'all', DISCLOSURE_AS_OF);
}
