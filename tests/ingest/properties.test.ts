import fc from 'fast-check';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Warehouse } from '../../warehouse/db';
import { refreshEpisodes } from '../../warehouse/models/refresh';
import { useTestDatabase } from '../harness/database';
import { csv, ingestText, seedBasics, TODAY } from './helpers';

// Properties of the merge (docs/testing.md: "splitting a file in two batches equals one
// batch"; row order never matters). Two warehouses get the same rows in different
// batchings or orders and must end with the same facts and models, minus batch ids
// and surrogate keys. Generated rows include invalid ones, so rejection is exercised too.
const a = useTestDatabase();
const b = useTestDatabase();
const RUNS = 25;

beforeAll(async () => {
  await seedBasics(a.wh);
  await seedBasics(b.wh);
});

const ATT_HEADER = 'session_id,episode_id,session_date,status,minutes';
const ASSESS_HEADER = 'patient_id,instrument,administered_on,total_score,episode_id';

const day = fc.integer({ min: 0, max: 120 }).map((d) => new Date(Date.UTC(2023, 11, 20 + d)).toISOString().slice(0, 10));

const attendanceRow = fc.record({
  id: fc.integer({ min: 0, max: 12 }),
  episode: fc.constantFrom('E1', 'E2', 'E3', 'E9'),
  date: day,
  status: fc.constantFrom('attended', 'no_show', 'cancelled', 'excused', 'Attended', 'bogus'),
  minutes: fc.constantFrom('', '30', '60', '-5'),
});
type AttendanceRow = typeof attendanceRow extends fc.Arbitrary<infer T> ? T : never;
const attendanceLine = (r: AttendanceRow) => `S${r.id},${r.episode},${r.date},${r.status},${r.minutes}`;

const assessmentRow = fc.record({
  patient: fc.constantFrom('P1', 'P2', 'P3'),
  instrument: fc.constantFrom('PHQ-9', 'GAD-7'),
  date: day,
  total: fc.integer({ min: -1, max: 28 }),
  episode: fc.constantFrom('', '', '', 'E1', 'E2'),
});
type AssessmentRow = typeof assessmentRow extends fc.Arbitrary<infer T> ? T : never;
const assessmentLine = (r: AssessmentRow) => `${r.patient},${r.instrument},${r.date},${r.total},${r.episode}`;
const assessmentKey = (r: AssessmentRow) => `${r.patient}|${r.instrument}|${r.date}`;

/** Removes every fact batch and rebuilds the models, leaving the seeded dimensions. */
async function resetFacts(wh: Warehouse): Promise<void> {
  await sql`delete from corrections where entity in ('attendance', 'assessments', 'abstinence')`.execute(wh.db);
  await sql`delete from attendance`.execute(wh.db);
  await sql`delete from assessments`.execute(wh.db);
  await sql`delete from abstinence_tests`.execute(wh.db);
  await sql`delete from ingest_batches where entity in ('attendance', 'assessments', 'abstinence')`.execute(wh.db);
  await refreshEpisodes(wh.db, 'all', TODAY);
}

/** The warehouse content that must not depend on batching or order. */
async function snapshot(wh: Warehouse) {
  const q = async (query: ReturnType<typeof sql>) => (await query.execute(wh.db)).rows;
  return {
    attendance: await q(sql`select session_id, episode_id, patient_id, session_date, status, session_type, minutes from attendance order by session_id`),
    assessments: await q(sql`select patient_id, instrument, administered_on, total_score, episode_id, source_episode_id, items
      from assessments order by patient_id, instrument, administered_on`),
    outcomes: await q(sql`select * from episode_outcomes order by episode_id`),
    instrumentOutcomes: await q(sql`select * from episode_instrument_outcomes order by episode_id, instrument`),
    rejected: (await q(sql`select count(*)::int as n from rejected_rows`))[0],
  };
}

type Snapshot = Awaited<ReturnType<typeof snapshot>>;
function withoutRefreshTimes(s: Snapshot): Snapshot {
  const strip = (rows: unknown[]) => rows.map((r) => ({ ...(r as Record<string, unknown>), refreshed_at: null }));
  return { ...s, outcomes: strip(s.outcomes), instrumentOutcomes: strip(s.instrumentOutcomes) };
}

async function expectSameWarehouse(): Promise<void> {
  expect(withoutRefreshTimes(await snapshot(b.wh))).toEqual(withoutRefreshTimes(await snapshot(a.wh)));
}

/** After incremental refreshes, a full refresh must change nothing. */
async function expectModelsCurrent(wh: Warehouse): Promise<void> {
  const incremental = withoutRefreshTimes(await snapshot(wh));
  await refreshEpisodes(wh.db, 'all', TODAY);
  expect(withoutRefreshTimes(await snapshot(wh))).toEqual(incremental);
}

describe('splitting a file into two batches gives the same warehouse as one batch', () => {
  it('holds for attendance files, duplicate keys and invalid rows included', async () => {
    await fc.assert(fc.asyncProperty(fc.array(attendanceRow, { maxLength: 30 }), fc.nat(), async (rows, at) => {
      const k = rows.length ? at % (rows.length + 1) : 0;
      const lines = rows.map(attendanceLine);
      await resetFacts(a.wh);
      await resetFacts(b.wh);
      await ingestText(a.wh, 'attendance', csv(ATT_HEADER, ...lines));
      await ingestText(b.wh, 'attendance', csv(ATT_HEADER, ...lines.slice(0, k)));
      await ingestText(b.wh, 'attendance', csv(ATT_HEADER, ...lines.slice(k)));
      await expectSameWarehouse();
      await expectModelsCurrent(a.wh);
    }), { numRuns: RUNS });
  }, 120_000);

  it('holds for assessment files, with episode linking', async () => {
    await fc.assert(fc.asyncProperty(fc.array(assessmentRow, { maxLength: 30 }), fc.nat(), async (rows, at) => {
      const k = rows.length ? at % (rows.length + 1) : 0;
      const lines = rows.map(assessmentLine);
      await resetFacts(a.wh);
      await resetFacts(b.wh);
      await ingestText(a.wh, 'assessments', csv(ASSESS_HEADER, ...lines));
      await ingestText(b.wh, 'assessments', csv(ASSESS_HEADER, ...lines.slice(0, k)));
      await ingestText(b.wh, 'assessments', csv(ASSESS_HEADER, ...lines.slice(k)));
      await expectSameWarehouse();
      await expectModelsCurrent(a.wh);
    }), { numRuns: RUNS });
  }, 120_000);
});

describe('row order never matters for files without duplicate keys', () => {
  const shuffled = <T>(arb: fc.Arbitrary<T[]>) =>
    arb.chain((rows) => fc.tuple(fc.constant(rows), fc.shuffledSubarray(rows, { minLength: rows.length, maxLength: rows.length })));

  it('holds for attendance files', async () => {
    const rows = fc.uniqueArray(attendanceRow, { maxLength: 13, selector: (r) => r.id });
    await fc.assert(fc.asyncProperty(shuffled(rows), async ([inOrder, reordered]) => {
      await resetFacts(a.wh);
      await resetFacts(b.wh);
      await ingestText(a.wh, 'attendance', csv(ATT_HEADER, ...inOrder.map(attendanceLine)));
      await ingestText(b.wh, 'attendance', csv(ATT_HEADER, ...reordered.map(attendanceLine)));
      await expectSameWarehouse();
    }), { numRuns: RUNS });
  }, 120_000);

  it('holds for assessment files', async () => {
    const rows = fc.uniqueArray(assessmentRow, { maxLength: 30, selector: assessmentKey });
    await fc.assert(fc.asyncProperty(shuffled(rows), async ([inOrder, reordered]) => {
      await resetFacts(a.wh);
      await resetFacts(b.wh);
      await ingestText(a.wh, 'assessments', csv(ASSESS_HEADER, ...inOrder.map(assessmentLine)));
      await ingestText(b.wh, 'assessments', csv(ASSESS_HEADER, ...reordered.map(assessmentLine)));
      await expectSameWarehouse();
    }), { numRuns: RUNS });
  }, 120_000);
});
