import { beforeAll, describe, expect, it } from 'vitest';
import { parseFilters } from '../../metrics/filters';
import { useTestDatabase } from '../harness/database';
import { addEpisodes } from './fixtures';
import { iop } from './cli';

const t = useTestDatabase();

beforeAll(async () => {
  await addEpisodes(t.wh.db, [{ id: 'e1', track: 'day', admitted: '2026-01-05' }, { id: 'e2', track: 'evening', admitted: '2026-01-05' }]);
});

function expectUsage(args: string[], message: RegExp): void {
  const r = iop(t.url, ['metrics', ...args]);
  expect(r.status, r.stderr).toBe(64);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('iop metrics: bad filters exit 64 with a clear message (docs/cli.md)', () => {
  it('rejects an unknown track and lists the known ones', () => {
    expectUsage(['retention', '--track', 'night'], /unknown track night; known tracks: day, evening/);
  });

  it('rejects a date that is not a calendar date', () => {
    expectUsage(['completion', '--from', '2026-02-30'], /from: must be a real calendar date YYYY-MM-DD/);
    expectUsage(['completion', '--as-of', '01/02/2026'], /as_of: must be a real calendar date/);
  });

  it('rejects dates outside 1900-01-01..2199-12-31 and PostgreSQL date words, as the API does (issue 20 item 5)', () => {
    expectUsage(['retention', '--as-of', '9999-12-31'], /as_of: must lie between 1900-01-01 and 2199-12-31/);
    expectUsage(['completion', '--from', '0001-01-01'], /from: must lie between 1900-01-01 and 2199-12-31/);
    expectUsage(['relapse', '--to', '-infinity'], /to: must be a real calendar date YYYY-MM-DD/);
    expectUsage(['symptoms', '--track', 'day\u001b[31m'], /track: track may hold letters, digits/);
  });

  it('rejects an unknown instrument and lists the known ones', () => {
    expectUsage(['symptoms', '--instrument', 'BDI-II'], /unknown instrument BDI-II; known instruments: AUDIT-C, DAST-10, GAD-7, PCL-5, PHQ-9/);
  });

  it('rejects from after to', () => {
    expectUsage(['attendance', '--from', '2026-03-01', '--to', '2026-01-01'], /from \(2026-03-01\) is after to \(2026-01-01\)/);
  });

  it('rejects a bad group_by and a negative min cell', () => {
    expectUsage(['relapse', '--group-by', 'zip'], /group_by/);
    expectUsage(['relapse', '--min-cell', '-1'], /min_cell/);
  });

  it('prints CSV and a table for a good request', () => {
    const csv = iop(t.url, ['metrics', 'completion', '--min-cell', '0', '--format', 'csv', '--as-of', '2026-02-01']);
    expect(csv.status).toBe(0);
    const [header, first] = csv.stdout.split('\r\n');
    expect(header).toMatch(/^metric,as_of,min_cell,track,n,discharged,completed,completion_rate,completion_ci_lower/);
    expect(first).toMatch(/^completion,2026-02-01,0,day,1,0,0,,,/);
    const table = iop(t.url, ['metrics', 'retention', '--format', 'table', '--min-cell', '0', '--as-of', '2026-02-01']);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^retention as of 2026-02-01/);
  });
});

describe('filter schema (shared by the CLI and the API)', () => {
  it('returns validation errors as data with param, value and message', () => {
    const r = parseFilters({ track: "day'; drop table episodes; --", from: '2026-13-01', extra: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.details.map((d) => d.param).sort()).toEqual(['extra', 'from', 'track']);
  });

  it('applies defaults: as_of today (UTC), group_by track, period month, PHQ-9, refused/missed positive', () => {
    const r = parseFilters({ track: ['b', 'a', 'a'] }, new Date('2026-11-23T23:30:00Z'));
    expect(r).toEqual({ ok: true, filters: {
      track: ['a', 'b'], from: null, to: null, as_of: '2026-11-23', group_by: ['track'], period: 'month',
      instrument: 'PHQ-9', site: null, clinician: null, sex: null, age_band: null, race: null, ethnicity: null, substance: null,
      min_cell: null, missing_as_positive: true,
    } });
  });
});
