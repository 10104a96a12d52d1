import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../warehouse/db-types';
import { AGE_BANDS } from '../warehouse/rules';

/**
 * The metric filters shared by the CLI and the API (docs/cli.md, api/README.md). One schema,
 * so `iop metrics … --track day` and `GET /api/v1/metrics/…?track=day` accept and
 * reject exactly the same things. Codes are whitelisted by pattern and length; no
 * filter value is ever spliced into SQL (the queries take them as parameters).
 */

/** The dimensions a request may group by (docs/metrics.md "Dimensions and filters"); the round-1 five first. */
export const GROUP_BY = ['track', 'period', 'sex', 'age_band', 'substance', 'site', 'clinician', 'race', 'ethnicity'] as const;
export const PERIODS = ['month', 'quarter', 'year'] as const;
export type GroupBy = (typeof GROUP_BY)[number];
export type Period = (typeof PERIODS)[number];
/** A request groups by one dimension, or by two (a two-way table). */
export const MAX_GROUP_BY = 2;

/**
 * The dimension filters besides `track` (docs/metrics.md "Dimensions and filters"): each a
 * list of values, an episode in scope when its value of the dimension is one of them. The
 * value is the one `group_by` shows for the episode (`unknown` for a missing sex, birth
 * year, race, ethnicity or substance), so a filter and a grouping always agree.
 * A scope rule for a role (api/auth/scope.ts: sites) is one more forced list here.
 */
export const LIST_FILTERS = ['site', 'clinician', 'sex', 'age_band', 'race', 'ethnicity', 'substance'] as const;
export type ListFilter = (typeof LIST_FILTERS)[number];

/** The value a missing sex, birth year, race, ethnicity, substance, site or clinician takes as a key and a filter. */
export const UNKNOWN_KEY = 'unknown';
export const SEXES = ['female', 'male', 'other', UNKNOWN_KEY] as const;
export const AGE_BAND_KEYS = [...AGE_BANDS.map((b) => b.band), UNKNOWN_KEY] as const;

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
const MAX_VALUES = 100;
function listOf<T extends z.ZodType<string, string>>(item: T, plural: string) {
  return z.union([item, z.array(item).max(MAX_VALUES, `at most ${MAX_VALUES} ${plural}`)])
    .transform((v) => [...new Set(Array.isArray(v) ? v : [v])].sort());
}
const trackList = listOf(code('track'), 'tracks');

/** Race and ethnicity are free text as the source recorded it, stored lower-cased (docs/formats.md). */
const label = (what: string) =>
  z.string().trim().min(1, `${what} must not be empty`).max(100, `${what} is longer than 100 characters`)
    // eslint-disable-next-line no-control-regex -- the point: control characters are refused
    .regex(/^[^\u0000-\u001f\u007f]+$/, `${what} must not hold control characters`)
    .transform((s) => s.toLowerCase());
const escapeRe = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** One of `values`, in any case (a pattern, so /openapi.json states the values). */
const oneOfLower = (what: string, values: readonly string[]) =>
  z.string().trim().regex(new RegExp(`^(${values.map(escapeRe).join('|')})$`, 'i'), `${what} must be one of ${values.join(', ')}`)
    .transform((s) => s.toLowerCase());
/** The value schema of each list filter. */
const LIST_FILTER_SCHEMAS = {
  site: listOf(code('site'), 'sites'),
  clinician: listOf(code('clinician'), 'clinicians'),
  sex: listOf(oneOfLower('sex', SEXES), 'sexes'),
  age_band: listOf(oneOfLower('age_band', AGE_BAND_KEYS), 'age bands'),
  race: listOf(label('race'), 'races'),
  ethnicity: listOf(label('ethnicity'), 'ethnicities'),
  substance: listOf(code('substance').transform((s) => s.toLowerCase()), 'substances'),
} as const satisfies Record<ListFilter, z.ZodType>;

/** Whether `value` is a value the list filter `kind` takes as it is (the form its parse gives back). */
export function listFilterTakes(kind: ListFilter, value: string): boolean {
  const parsed = LIST_FILTER_SCHEMAS[kind].safeParse(value);
  return parsed.success && parsed.data.length === 1 && parsed.data[0] === value;
}

/** The list filters as optional schema fields, for the schemas of compare and spc to share. */
export const ListFilterShape = Object.fromEntries(
  LIST_FILTERS.map((k) => [k, LIST_FILTER_SCHEMAS[k].optional()]),
) as { [K in ListFilter]: z.ZodOptional<(typeof LIST_FILTER_SCHEMAS)[K]> };

/**
 * `group_by`: one or two dimensions, comma-separated (`track,race`) or repeated; a single
 * value reads as before. Two different dimensions at most.
 */
const dimension = `(${GROUP_BY.join('|')})`;
const GROUP_BY_MESSAGE = `use one or two of ${GROUP_BY.join('|')}, comma-separated`;
const groupByItem = z.string().trim().regex(new RegExp(`^${dimension}(,${dimension})?$`), GROUP_BY_MESSAGE);
const groupByList = z.union([z.string(), z.array(z.string()).max(MAX_GROUP_BY)])
  .transform((v, ctx): GroupBy[] => {
    const items = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim());
    const bad = items.filter((s) => !(GROUP_BY as readonly string[]).includes(s));
    if (bad.length > 0 || items.length === 0) {
      ctx.addIssue({ code: 'custom', message: `unknown dimension ${bad.map((b) => `'${b}'`).join(', ') || "''"}; ${GROUP_BY_MESSAGE}` });
      return z.NEVER;
    }
    if (new Set(items).size !== items.length || items.length > MAX_GROUP_BY) {
      ctx.addIssue({ code: 'custom', message: `group_by takes one dimension or two different ones (${items.join(',')})` });
      return z.NEVER;
    }
    return items as GroupBy[];
  });
/** As /openapi.json shows it: `track`, `track,race`, or the dimension repeated. */
const groupByParam = z.union([groupByItem, z.array(groupByItem).max(MAX_GROUP_BY)]).pipe(groupByList);

const booleanish = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const MetricFiltersSchema = z.strictObject({
  track: trackList.optional(),
  from: date.optional(),
  to: date.optional(),
  as_of: date.optional(),
  group_by: groupByParam.optional(),
  period: z.enum(PERIODS).default('month'),
  instrument: code('instrument').optional(),
  ...ListFilterShape,
  // Digits only: coercion would read '' as 0 (suppression silently off) and '0x10' as 16.
  min_cell: z.union([z.number(), z.string().regex(/^\d{1,4}$/, 'min_cell must be a whole number').transform(Number)])
    .pipe(z.number().int('min_cell must be an integer').min(0).max(1000))
    .optional(),
  /** Extension: docs/metrics.md "Relapse and abstinence". */
  missing_as_positive: booleanish.optional(),
});

export type MetricFiltersInput = z.input<typeof MetricFiltersSchema>;

/** Filters after parsing, with every default applied. A list filter is null when not given. */
export interface MetricFilters extends Record<ListFilter, string[] | null> {
  track: string[] | null;
  from: string | null;
  to: string | null;
  as_of: string;
  /** One dimension, or two (a two-way table): the first is the table's rows. */
  group_by: GroupBy[];
  period: Period;
  instrument: string;
  min_cell: number | null;
  missing_as_positive: boolean;
  /**
   * Not a user filter: the clinician whose caseload (episodes with this clinician_id) a
   * clinician user is limited to, set only by api/auth/scope.ts `scopeFilters`.
   */
  caseload?: string | null;
}

/** No list filter given: every dimension filter null. */
export const NO_LIST_FILTERS: Readonly<Record<ListFilter, null>> = Object.fromEntries(LIST_FILTERS.map((k) => [k, null])) as Record<ListFilter, null>;

/** The list filters a response echoes: those given, each as its list (absent when not given). */
export function echoListFilters(f: Pick<MetricFilters, ListFilter>): Partial<Record<ListFilter, string[]>> {
  return Object.fromEntries(LIST_FILTERS.filter((k) => f[k] !== null).map((k) => [k, f[k]]));
}

/** The echoed list filters as response-schema fields (optional arrays). */
export const ListFilterEchoShape = Object.fromEntries(LIST_FILTERS.map((k) => [k, z.array(z.string()).optional()])) as
  Record<ListFilter, z.ZodOptional<z.ZodArray<z.ZodString>>>;

/** The list filters a request gives (those not null). */
export function givenListFilters(f: Pick<MetricFilters, ListFilter>): ListFilter[] {
  return LIST_FILTERS.filter((k) => f[k] !== null);
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

/**
 * The message of a zod issue as a person should read it. A repeatable parameter is a
 * union of one value or a list; zod reports a bad single value as "Invalid input" of the
 * union, so the message of the single-value branch is the one that says what was expected.
 */
export function issueMessage(issue: { code?: string; message: string; errors?: unknown }): string {
  if (issue.code === 'invalid_union' && Array.isArray(issue.errors)) {
    const first = (issue.errors[0] as { message?: string }[] | undefined)?.[0]?.message;
    if (first) return first;
  }
  return issue.message;
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
      return { param, value, message: unknownKeys.length > 0 ? 'unknown filter' : issueMessage(issue) };
    }));
  }
  const f = parsed.data;
  const filters: MetricFilters = {
    track: f.track ?? null,
    from: f.from ?? null,
    to: f.to ?? null,
    as_of: f.as_of ?? todayUtc(now),
    group_by: f.group_by ?? ['track'],
    period: f.period,
    instrument: f.instrument ?? DEFAULT_INSTRUMENT,
    ...Object.fromEntries(LIST_FILTERS.map((k) => [k, f[k] ?? null])) as Record<ListFilter, string[] | null>,
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
  for (const [param, table, column, plural] of [['site', 'sites', 'site_code', 'sites'], ['clinician', 'clinicians', 'clinician_id', 'clinicians']] as const) {
    const asked = filters[param];
    if (!asked) continue;
    const known = (await db.selectFrom(table).select(column).orderBy(column).execute()).map((r) => (r as Record<string, string>)[column] as string);
    const unknown = asked.filter((t) => !known.includes(t));
    if (unknown.length > 0) {
      details.push({ param, value: unknown, message: `unknown ${param} ${unknown.join(', ')}; known ${plural}: ${known.join(', ') || '(none)'}` });
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
