import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ingestCsv } from '../../ingest/loader';
import type { EntityName } from '../../ingest/entities';
import { FORMULA_START, isNumericText } from '../../metrics/csv-cell';
import { useTestDatabase } from '../harness/database';
import { iop } from '../metrics/cli';
import { bearer, createTestUsers, testApp, type TestUsers } from './helpers';

/**
 * Issue 20 item 3: text that reached the warehouse through the real CSV ingest (a
 * substance, a track name) must not run as a formula when an exported CSV is opened in
 * a spreadsheet (OWASP "CSV Injection"), in any CSV the product writes.
 */
const t = useTestDatabase();
let app: FastifyInstance;
let users: TestUsers;

const HYPERLINK = '=HYPERLINK("http://evil","x")';
const DDE = "-2+3+cmd|' /C calc'!A0";
const AS_OF = '2025-12-31';

const quoted = (s: string) => `"${s.replaceAll('"', '""')}"`;

async function ingest(entity: EntityName, lines: string[]): Promise<void> {
  const summary = await ingestCsv(t.wh, { entity, input: Readable.from([Buffer.from(`${lines.join('\n')}\n`)]), sourceName: `${entity}.csv`, today: AS_OF });
  expect(summary.rejected, JSON.stringify(summary.errors)).toBe(0);
}

beforeAll(async () => {
  await ingest('tracks', ['track_code,name', `dde,${quoted(DDE)}`, `link,${quoted(HYPERLINK)}`]);
  const patients = ['patient_id,birth_year,sex'];
  const episodes = ['episode_id,patient_id,track_code,admitted_on,discharged_on,discharge_reason,primary_substance'];
  const assessments = ['patient_id,instrument,administered_on,total_score,episode_id'];
  for (let i = 0; i < 24; i++) {
    const p = `P${i}`;
    const e = `E${i}`;
    patients.push(`${p},1980,${i % 2 ? 'female' : 'male'}`);
    episodes.push(`${e},${p},${i % 2 ? 'dde' : 'link'},2025-02-03,2025-04-14,completed,${quoted(HYPERLINK)}`);
    // Scores fall, so the symptom change is negative: a negative number must stay a number.
    assessments.push(`${p},PHQ-9,2025-02-03,20,${e}`, `${p},PHQ-9,2025-03-10,${8 + (i % 5)},${e}`);
  }
  await ingest('patients', patients);
  await ingest('episodes', episodes);
  await ingest('assessments', assessments);
  users = await createTestUsers(t.wh);
  app = await testApp(t.wh);
});
afterAll(async () => app?.close());

function cells(csv: string): string[][] {
  return parse(csv, { record_delimiter: '\r\n' }) as string[][];
}

/** No cell, read back, starts with a formula character unless it is a plain number. */
function expectNoFormula(csv: string): void {
  for (const row of cells(csv)) {
    for (const cell of row) expect(FORMULA_START.test(cell) && !isNumericText(cell), cell).toBe(false);
  }
}

function column(csv: string, name: string): string[] {
  const [header, ...rows] = cells(csv);
  const i = header?.indexOf(name) ?? -1;
  expect(i, `column ${name} in ${header?.join(',')}`).toBeGreaterThanOrEqual(0);
  return rows.map((r) => r[i] ?? '');
}

describe('CSV exports neutralise formula text (issue 20 item 3)', () => {
  it('the API metric CSV grouped by substance prefixes the substance with a quote mark', async () => {
    const res = await app.inject({ url: `/api/v1/metrics/completion?format=csv&group_by=substance&min_cell=0&as_of=${AS_OF}`, headers: bearer(users.analyst) });
    expect(res.statusCode, res.body).toBe(200);
    expect(column(res.body, 'substance')).toEqual([`'${HYPERLINK.toLowerCase()}`]);
    expectNoFormula(res.body);
  });

  it('the API metric CSV keeps a negative change a plain number', async () => {
    const res = await app.inject({ url: `/api/v1/metrics/symptoms?format=csv&min_cell=0&as_of=${AS_OF}`, headers: bearer(users.analyst) });
    expect(res.statusCode, res.body).toBe(200);
    const change = column(res.body, 'change_mean');
    expect(change.length).toBe(2);
    for (const v of change) {
      expect(v).toMatch(/^-\d+(\.\d+)?$/);
      expect(Number(v)).toBeLessThan(0);
    }
  });

  it('`iop metrics --format csv` prefixes the substance with a quote mark', () => {
    const r = iop(t.url, ['metrics', 'completion', '--format', 'csv', '--group-by', 'substance', '--min-cell', '0', '--as-of', AS_OF]);
    expect(r.status, r.stderr).toBe(0);
    expect(column(r.stdout, 'substance')).toEqual([`'${HYPERLINK.toLowerCase()}`]);
    expectNoFormula(r.stdout);
  });

  it('the report CSV prefixes both track names, the DDE payload that starts with a digit-like -2 included', async () => {
    const res = await app.inject({ url: `/api/v1/report?format=csv&min_cell=0&as_of=${AS_OF}`, headers: bearer(users.analyst) });
    expect(res.statusCode, res.body).toBe(200);
    const names = new Set(column(res.body, 'track_name').filter((s) => s !== ''));
    expect([...names].sort()).toEqual([`'${DDE}`, `'${HYPERLINK}`]);
    expectNoFormula(res.body);
    // Negative values stay numbers: the symptom change is below zero and unprefixed.
    const values = column(res.body, 'value').filter((v) => v.startsWith('-'));
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(v).toMatch(/^-\d+(\.\d+)?(e-?\d+)?$/);
  });
});
