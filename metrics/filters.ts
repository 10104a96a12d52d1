import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../warehouse/db-types';

/**
 * The metric filters shared by the CLI and the API (docs/cli.md, api/README.md). One schema,
 * so `iop metrics … --track day` and `GET /api/v1/metrics/…?track=day` accept and
 * reject exactly the same things. Codes are whitelisted by pattern and length; no
 * filter value is ever spliced into SQL (the queries take them as parameters).
 */

export const GROUP_BY = ['track', 'period', 'sex', 'age_band', 'substance'] as const;
export const PERIODS = ['month', 'quarter', 'year'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
export type Period = (typeof PERIODS)[number];

const CODE = /^[A-Za-z0-9][A-Za-z0-9 _.\-/+]*$/;
const code = (what: string) =>
  z.string().trim().min(1, `${what} must not be empty`).max(64, `${what} is longer than 64 characters`)
    .regex(CODE, `${what} may hold letters, digits, space and _ . - / + only`);

/** A real calendar date: `2026-02-30` is refused, not rolled over to March. */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/**
 * The dates a filter may name (from, to, as_of), for the CLI and the API alike
 * (docs/security.md "Parameters"). The floor is the ingest's own (no birth, admission
 * or test before 1900 is accepted); the ceiling leaves two centuries of headroom while
 * staying far from PostgreSQL's limits: date arithmetic near 9999-12-31 failed in the
 * queries ("time zone displacement out of range") and answered 500 (issue 20 item 5).
 * The calendar check already refuses PostgreSQL's date words (infinity, epoch, now)
 * and signed or extended years.
 */
export const DATE_MIN = '1900-01-01';
export const DATE_MAX = '2199-12-31';

const date = z.string().trim().refine(isCalendarDate, 'must be a real calendar date YYYY-MM-DD')
  .refine((v) => v >= DATE_MIN && v <= DATE_MAX, `must lie between ${DATE_MIN} and ${DATE_MAX}`);
/** The date schema of the filters, for other requests that take dates (the TEDS-D extract). */
export const FilterDateSchema = date;

/** Query strings and repeated flags arrive as a string or an array of strings. */
const trackList = z.union([code('track'), z.array(code('track')).max(100, 'at most 100 tracks')])
  .transform((v) => [...new Set(Array.isArray(v) ? v : [v])].sort());

const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const MetricFiltersSchema = z.strictObject({
  track: trackList.optional(),
  from: date.optional(),
  to: date.optional(),
  as_of: date.optional(),
  group_by: z.enum(GROUP_BY).default('track'),
  period: z.enum(PERIODS).default('month'),
  instrument: code('instrument').optional(),
  substance: code('substance').transform((s) => s.toLowerCase()).optional(),
  // Digits only: coercion would read '' as 0 (suppression silently off) and '0x10' as 16.
  min_cell: z.union([z.number(), z.string().regex(/^\d{1,4}$/, 'min_cell must be a whole number').transform(Number)])
    .pipe(z.number().int('min_cell must be an integer').min(0).max(1000))
    .optional(),
  /** Extension: docs/metrics.md "Relapse and abstinence". */
  missing_as_positive: booleanish.optional(),
});

export type MetricFiltersInput = z.input<typeof MetricFiltersSchema>;

/** Filters after parsing, with every default applied. */
export interface MetricFilters {
  track: string[] | null;
  from: string | null;
  to: string | null;
  as_of: string;
  group_by: GroupBy;
  period: Period;
  instrument: string;
  substance: string | null;
  min_cell: number | null;
  missing_as_positive: boolean;
}

export interface FilterErrorDetail {
  param: string;
  value: unknown;
  message: string;
}

/** A validation failure as data: the CLI prints it and exits 64, the API answers 400. */
export interface FilterError {
  error: string;
  details: FilterErrorDetail[];
}

export type FilterResult = { ok: true; filters: MetricFilters } | { ok: false; error: FilterError };

export const DEFAULT_INSTRUMENT = 'PHQ-9';

export function todayUtc(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function fail(details: FilterErrorDetail[]): FilterResult {
  const message = details.map((d) => `${d.param}: ${d.message}`).join('; ');
  return { ok: false, error: { error: `Invalid metric filter: ${message}`, details } };
}

/** Parses raw filters (flags or query parameters); `now` fixes the default as_of in tests. */
export function parseFilters(raw: unknown, now: Date = new Date()): FilterResult {
  const parsed = MetricFiltersSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    return fail(parsed.error.issues.map((issue) => {
      const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const param = unknownKeys.length > 0 ? unknownKeys.join(',') : String(issue.path[0] ?? '');
      const value = unknownKeys.length > 0 ? undefined : valueAt(raw, issue.path.slice(0, 1));
      return { param, value, message: unknownKeys.length > 0 ? 'unknown filter' : issue.message };
    }));
  }
  const f = parsed.data;
  const filters: MetricFilters = {
    track: f.track ?? null,
    from: f.from ?? null,
    to: f.to ?? null,
    as_of: f.as_of ?? todayUtc(now),
    group_by: f.group_by,
    period: f.period,
    instrument: f.instrument ?? DEFAULT_INSTRUMENT,
    substance: f.substance ?? null,
    min_cell: f.min_cell ?? null,
    missing_as_positive: f.missing_as_positive ?? true,
  };
  if (filters.from !== null && filters.to !== null && filters.from > filters.to) {
    return fail([{ param: 'from', value: filters.from, message: `from (${filters.from}) is after to (${filters.to})` }]);
  }
  return { ok: true, filters };
}

/**
 * Checks the codes against the warehouse: an unknown track or instrument is a bad
 * request whose message lists the known ones (docs/formats.md does the same at ingest).
 */
export async function checkFiltersInWarehouse(db: Kysely<DB>, filters: MetricFilters, usesInstrument: boolean): Promise<FilterError | null> {
  const details: FilterErrorDetail[] = [];
  if (filters.track) {
    const known = (await db.selectFrom('tracks').select('track_code').orderBy('track_code').execute()).map((r) => r.track_code);
    const unknown = filters.track.filter((t) => !known.includes(t));
    if (unknown.length > 0) {
      details.push({ param: 'track', value: unknown, message: `unknown track ${unknown.join(', ')}; known tracks: ${known.join(', ') || '(none)'}` });
    }
  }
  if (usesInstrument) {
    const known = (await db.selectFrom('instruments').select('code').orderBy('code').execute()).map((r) => r.code);
    if (!known.includes(filters.instrument)) {
      details.push({ param: 'instrument', value: filters.instrument, message: `unknown instrument ${filters.instrument}; known instruments: ${known.join(', ')}` });
    }
  }
  if (details.length === 0) return null;
  const result = fail(details);
  return result.ok ? null : result.error;
}
