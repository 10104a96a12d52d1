import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../../warehouse/db-types';
import { selfReportTest } from '../../warehouse/models/per-episode';
import { csvDocument, type CsvValue } from '../csv-cell';
import { FilterDateSchema, type FilterError } from '../filters';
import { caseIdFor, checkedSecret, rowOrderSeed } from './pseudonym';
import {
  ageCode, disyr, ethnicCode, FREQ1_D_WINDOW_DAYS, freqCode, genderCode, losCode, raceCode, reasonCode, servicesCode, sub1Code, TEDS_D_COLUMNS,
} from './teds-d-codes';

/**
 * The TEDS-D discharge extract (docs/funder-reporting.md "TEDS-D discharge extract"):
 * one CSV row per episode discharged in [from, to], in the codes of
 * metrics/exports/teds-d-codes.ts, keyed by the CASEID pseudonym. `iop export teds-d`
 * and `GET /api/v1/exports/teds-d` both write the chunks of `tedsDischargeCsv`.
 *
 * The rows are read through a server-side cursor, a batch at a time, so memory stays
 * flat whatever the range; every cell goes through metrics/csv-cell.ts.
 */

export const TedsDQuerySchema = z.strictObject({
  from: FilterDateSchema.describe('first discharge date, YYYY-MM-DD'),
  to: FilterDateSchema.describe('last discharge date, YYYY-MM-DD (inclusive)'),
});
export type TedsDRange = z.infer<typeof TedsDQuerySchema>;

export type TedsDRangeResult = { ok: true; range: TedsDRange } | { ok: false; error: FilterError };

/** Parses the range as the CLI flags or the query string give it: both dates required, from ≤ to. */
export function parseTedsDRange(raw: unknown): TedsDRangeResult {
  const parsed = TedsDQuerySchema.safeParse(raw ?? {});
  const details = parsed.success ? [] : parsed.error.issues.map((issue) => {
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const param = unknown.length > 0 ? unknown.join(',') : String(issue.path[0] ?? '');
    const value = unknown.length > 0 || typeof raw !== 'object' || raw === null ? undefined : (raw as Record<string, unknown>)[param];
    const message = unknown.length > 0 ? 'unknown parameter' : value === undefined ? 'is required (a discharge date YYYY-MM-DD)' : issue.message;
    return { param, value, message };
  });
  if (parsed.success && parsed.data.from > parsed.data.to) {
    details.push({ param: 'from', value: parsed.data.from, message: `must not be after to (${parsed.data.to})` });
  }
  if (!parsed.success || details.length > 0) {
    return { ok: false, error: { error: `Invalid TEDS-D range: ${details.map((d) => `${d.param}: ${d.message}`).join('; ')}`, details } };
  }
  return { ok: true, range: parsed.data };
}

interface DischargeRow {
  episode_id: string;
  discharged_on: string;
  stay: number;
  age: number | null;
  sex: string | null;
  race: string | null;
  ethnicity: string | null;
  level_of_care: string | null;
  discharge_reason: string | null;
  primary_substance: string | null;
  days_used: number | null;
}

/**
 * The facts of each discharge: stay = discharge − admission in days, age = admission year −
 * birth year, and the days used of the last self-report dated from discharge − 30 to
 * discharge (the latest date; on one day, the report of most use). The reports are picked
 * in one pass over the self-reports of the range's episodes (a hash join), not by one index
 * probe per episode: two to three times faster at 20k episodes, where self-reports are a
 * sixth of the tests. The episode id leaves this query only to be hashed.
 */
function dischargeQuery(range: TedsDRange, seed: string) {
  const inRange = sql`e.discharged_on between ${range.from}::date and ${range.to}::date`;
  return sql<DischargeRow>`
    with last_report as (
      select distinct on (a.episode_id) a.episode_id, a.days_used_past_30
      from abstinence_tests a join episodes e on e.episode_id = a.episode_id
      where ${inRange} and ${selfReportTest('a')}
        and a.collected_on between e.discharged_on - ${sql.lit(FREQ1_D_WINDOW_DAYS)} and e.discharged_on
      order by a.episode_id, a.collected_on desc, a.days_used_past_30 desc
    )
    select e.episode_id, e.discharged_on, e.discharged_on - e.admitted_on as stay,
      extract(year from e.admitted_on)::int - p.birth_year as age,
      p.sex, p.race, p.ethnicity, t.level_of_care, e.discharge_reason, e.primary_substance,
      r.days_used_past_30 as days_used
    from episodes e
      join patients p on p.patient_id = e.patient_id
      join tracks t on t.track_code = e.track_code
      left join last_report r on r.episode_id = e.episode_id
    where ${inRange}
    order by hashtextextended(e.episode_id, ${seed}::bigint), e.episode_id`;
}

/**
 * The code of a text field through its code table (metrics/exports/teds-d-codes.ts),
 * remembered per distinct raw value for the length of one extract: a field like race has a
 * handful of values over 200k rows, and the table's key normalisation runs once for each.
 */
function memo(code: (text: string | null) => number): (text: string | null) => number {
  const seen = new Map<string | null, number>();
  return (text) => {
    let c = seen.get(text);
    if (c === undefined) {
      c = code(text);
      seen.set(text, c);
    }
    return c;
  };
}

/** One row of codes, CASEID first, in the order of TEDS_D_COLUMNS. */
function rowCoder(caseId: (id: string) => string): (r: DischargeRow) => CsvValue[] {
  const gender = memo(genderCode);
  const race = memo(raceCode);
  const ethnic = memo(ethnicCode);
  const services = memo(servicesCode);
  const reason = memo(reasonCode);
  const sub1 = memo(sub1Code);
  return (r) => [
    caseId(r.episode_id), disyr(r.discharged_on), ageCode(r.age), gender(r.sex), race(r.race), ethnic(r.ethnicity),
    services(r.level_of_care), reason(r.discharge_reason), losCode(r.stay), sub1(r.primary_substance), freqCode(r.days_used),
  ];
}

const BATCH_ROWS = 5000;
const CURSOR = 'teds_d_extract';

/**
 * The extract as CSV text chunks (the header, then one chunk per batch of rows), read in
 * one repeatable-read snapshot. Throws ExportSecretError before reading anything when the
 * secret is missing or too short. Stopping early (a closed response) rolls the snapshot back.
 */
export async function* tedsDischargeCsv(db: Kysely<DB>, range: TedsDRange, secret: string | undefined, batchRows = BATCH_ROWS): AsyncGenerator<string> {
  const key = checkedSecret(secret);
  const codesOf = rowCoder(caseIdFor(key));
  const trx = await db.startTransaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute();
  let committed = false;
  let pending: Promise<unknown> | null = null;
  try {
    // No JIT, as in the model refresh and the model queries: compiling costs more than this
    // short scan saves (35 ms of JIT for a 320 ms query at 20k episodes). More sort memory, as
    // the model queries take (metrics/sql/model-scope.ts): the self-reports and the shuffled
    // rows sort in memory instead of on disk (at 200k episodes, 20 MB spilled with the default).
    await sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`.execute(trx);
    await sql`declare ${sql.id(CURSOR)} no scroll cursor for ${dischargeQuery(range, rowOrderSeed(key))}`.execute(trx);
    yield csvDocument([TEDS_D_COLUMNS]);
    const fetchBatch = () => sql<DischargeRow>`fetch forward ${sql.lit(batchRows)} from ${sql.id(CURSOR)}`.execute(trx);
    let next = fetchBatch();
    pending = next;
    for (;;) {
      const { rows } = await next;
      if (rows.length < batchRows) {
        pending = null;
        if (rows.length > 0) yield csvDocument(rows.map(codesOf));
        break;
      }
      // The next batch is on its way from the server while this one is coded and written.
      next = fetchBatch();
      pending = next;
      yield csvDocument(rows.map(codesOf));
    }
    await trx.commit().execute();
    committed = true;
  } finally {
    if (!committed) {
      // A fetch still under way (the reader stopped early) finishes before the rollback.
      await pending?.catch(() => undefined);
      await trx.rollback().execute().catch(() => undefined);
    }
  }
}
