import { sql, type Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';
import { addEpisodes, addScores, addSessions, addTests, day, type EpisodeSpec, type TestSpec } from './fixtures';

/**
 * The seeded cohort of the models-versus-facts tests (tests/metrics/model-source.test.ts,
 * tests/metrics/compare-source.test.ts): sessions, tests and scores before admission and
 * after discharge, open episodes (some lost to follow-up), discharges after as_of,
 * admissions after as_of, prescribed/invalid/refused/missed tests, same-day self-reports
 * of two substances, weeks 16 and 17, follow-up scores past discharge + 14 days.
 */
export const A = '2026-01-01';
export const AS_OF = day(A, 150);
/** The last fact date of the cohort: a later as_of may read the models. */
export const LAST_FACT = day(A, 150);

/** mulberry32: a small seeded PRNG, so a test cohort is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

let rand = prng(20261123);
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;

const REASONS = ['completed', 'transferred', 'dropped_out', 'against_advice', 'terminated', 'other'] as const;
const STATUSES = ['attended', 'attended', 'attended', 'no_show', 'cancelled', 'excused'] as const;
const RESULTS = ['negative', 'negative', 'negative', 'positive', 'refused', 'missed', 'invalid'] as const;

export interface Cohort {
  episodes: EpisodeSpec[];
  sessions: Map<string, [string, (typeof STATUSES)[number]][]>;
  tests: Map<string, TestSpec[]>;
  scores: Map<string, [string, [string, number][]][]>;
}

/** `n` episodes m000…; the same on every call (the PRNG restarts from its seed). */
export function cohort(n: number): Cohort {
  rand = prng(20261123);
  const out: Cohort = { episodes: [], sessions: new Map(), tests: new Map(), scores: new Map() };
  for (let i = 0; i < n; i++) {
    const id = `m${String(i).padStart(3, '0')}`;
    const start = int(-60, 140);
    const kind = rand();
    // Closed within the cohort's window, closed after as_of, or open.
    const end = kind < 0.55 ? Math.min(start + int(0, 120), 150) : kind < 0.7 ? start + int(151 - start, 260 - start) : null;
    out.episodes.push({
      id, track: pick(['day', 'eve', 'php']), admitted: day(A, start),
      discharged: end === null ? null : day(A, end), reason: end === null ? null : pick(REASONS),
      substance: pick(['alcohol', 'Opioids', 'stimulants', null, '']), sex: pick(['female', 'male', 'other', null]),
      birthYear: pick([1950, 1970, 1985, 1995, 2000, 2010, null]),
    });
    const last = Math.min(end ?? 150, 150);
    const days = (from: number, to: number, k: number) => [...new Set(Array.from({ length: k }, () => int(from, to)))].filter((d) => d <= 150).sort((x, y) => x - y);
    const sessionDays = days(start - 5, last + 10, int(0, 40));
    out.sessions.set(id, sessionDays.flatMap((d) => Array.from({ length: rand() < 0.15 ? 2 : 1 }, () => [day(A, d), pick(STATUSES)] as [string, (typeof STATUSES)[number]])));
    const tests: TestSpec[] = days(start - 20, last + 10, int(0, 14)).map((d) => ({
      on: day(A, d), result: pick(RESULTS), prescribed: rand() < 0.1, substance: 'opioids',
    }));
    for (const d of days(start - 20, last + 5, int(0, 4))) {
      tests.push({ on: day(A, d), result: 'positive', method: 'self_report', substance: 'alcohol', daysUsed: int(0, 30) });
      if (rand() < 0.4) tests.push({ on: day(A, d), result: 'negative', method: 'self_report', substance: 'opioids', daysUsed: int(0, 30) });
    }
    out.tests.set(id, tests);
    out.scores.set(id, (['PHQ-9', 'GAD-7'] as const).map((ins) => [ins, days(start - 20, last + 30, int(0, 8)).map((d) => [day(A, d), int(0, 21)] as [string, number])]));
  }
  return out;
}

/** Inserts a cohort's episodes, patients and facts (the models are not refreshed). */
export async function loadCohort(db: Kysely<DB>, c: Cohort): Promise<void> {
  await addEpisodes(db, c.episodes);
  // First contacts (the IET index date) 0–20 days before admission for about 80% of episodes, from a
  // stream of their own so the cohort above stays the same.
  const contact = prng(20261206);
  for (const e of c.episodes) {
    if (contact() < 0.8) await sql`update episodes set first_contact_on = admitted_on - ${Math.floor(contact() * 21)}::int where episode_id = ${e.id}`.execute(db);
  }
  for (const e of c.episodes) {
    await addSessions(db, e.id, c.sessions.get(e.id) ?? []);
    await addTests(db, e.id, c.tests.get(e.id) ?? []);
    for (const [ins, scores] of c.scores.get(e.id) ?? []) await addScores(db, e.id, ins, scores);
  }
}
