import type { Kysely } from 'kysely';
import type { DB } from '../../warehouse/db-types';

/** Day arithmetic on ISO dates, in UTC. */
export function day(base: string, offset: number): string {
  const d = new Date(`${base}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

export interface EpisodeSpec {
  id: string;
  track?: string;
  admitted: string;
  discharged?: string | null;
  reason?: string | null;
  substance?: string | null;
  sex?: 'female' | 'male' | 'other' | 'unknown' | null;
  birthYear?: number | null;
  /** `episodes.first_contact_on` (the IET and access measures' index date), none by default. */
  firstContact?: string | null;
}

/** Inserts tracks, one patient per episode, and the episodes (fixtures go straight to the facts). */
export async function addEpisodes(db: Kysely<DB>, episodes: readonly EpisodeSpec[]): Promise<void> {
  const tracks = [...new Set(episodes.map((e) => e.track ?? 'day'))];
  await db.insertInto('tracks').values(tracks.map((t) => ({ track_code: t, name: t }))).onConflict((c) => c.doNothing()).execute();
  await db.insertInto('patients').values(episodes.map((e) => ({
    patient_id: `P-${e.id}`, sex: e.sex === undefined ? 'female' : e.sex, birth_year: e.birthYear === undefined ? 1990 : e.birthYear,
  }))).onConflict((c) => c.doNothing()).execute();
  await db.insertInto('episodes').values(episodes.map((e) => ({
    episode_id: e.id, patient_id: `P-${e.id}`, track_code: e.track ?? 'day', admitted_on: e.admitted,
    discharged_on: e.discharged ?? null, discharge_reason: e.discharged ? (e.reason ?? 'completed') : null,
    primary_substance: e.substance ?? null, first_contact_on: e.firstContact ?? null,
  }))).execute();
}

let sessionSeq = 0;
export async function addSessions(db: Kysely<DB>, episodeId: string, sessions: readonly [string, 'attended' | 'no_show' | 'cancelled' | 'excused'][]): Promise<void> {
  if (sessions.length === 0) return;
  await db.insertInto('attendance').values(sessions.map(([date, status]) => ({
    session_id: `S${++sessionSeq}-${episodeId}`, episode_id: episodeId, patient_id: `P-${episodeId}`, session_date: date, status,
  }))).execute();
}

export async function addScores(db: Kysely<DB>, episodeId: string, instrument: string, scores: readonly [string, number][]): Promise<void> {
  if (scores.length === 0) return;
  await db.insertInto('assessments').values(scores.map(([date, score]) => ({
    patient_id: `P-${episodeId}`, instrument, administered_on: date, total_score: score, episode_id: episodeId,
  }))).execute();
}

export interface TestSpec {
  on: string;
  result: 'negative' | 'positive' | 'refused' | 'invalid' | 'missed';
  prescribed?: boolean;
  substance?: string;
  method?: 'uds' | 'breath' | 'saliva' | 'self_report';
  daysUsed?: number | null;
}

export async function addTests(db: Kysely<DB>, episodeId: string, tests: readonly TestSpec[]): Promise<void> {
  if (tests.length === 0) return;
  await db.insertInto('abstinence_tests').values(tests.map((x) => ({
    patient_id: `P-${episodeId}`, collected_on: x.on, method: x.method ?? 'uds', substance: x.substance ?? 'opioids',
    result: x.result, prescribed: x.prescribed ?? false, episode_id: episodeId, days_used_past_30: x.daysUsed ?? null,
  }))).execute();
}

export async function clearFacts(db: Kysely<DB>): Promise<void> {
  for (const table of ['abstinence_tests', 'assessments', 'attendance', 'episode_outcomes', 'episode_instrument_outcomes', 'episodes', 'patients'] as const) {
    await db.deleteFrom(table).execute();
  }
  await db.deleteFrom('tracks').execute();
}
