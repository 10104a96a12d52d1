import { beforeAll, describe, expect, it } from 'vitest';
import { FileError } from '../../ingest/csv-source';
import { useTestDatabase } from '../harness/database';
import { count, csv, ingestText, seedBasics } from './helpers';

// The file format of docs/formats.md: UTF-8 with an optional BOM, RFC 4180 quoting,
// case-insensitive headers, unknown columns ignored with a warning, and error lines
// that are physical lines of the file (the header is line 1).
const t = useTestDatabase();

beforeAll(async () => {
  await seedBasics(t.wh);
});

async function trackName(code: string): Promise<string | undefined> {
  const row = await t.wh.db.selectFrom('tracks').select('name').where('track_code', '=', code).executeTakeFirst();
  return row?.name;
}

describe('encoding and line ends', () => {
  it('accepts a UTF-8 byte order mark before the header', async () => {
    const s = await ingestText(t.wh, 'tracks', '\ufefftrack_code,name\nBOM1,With BOM\n');
    expect(s).toMatchObject({ inserted: 1, rejected: 0, warnings: [] });
    expect(await trackName('BOM1')).toBe('With BOM');
  });

  it('accepts CRLF line ends and still reports physical lines', async () => {
    const s = await ingestText(t.wh, 'tracks', 'track_code,name,level_of_care\r\nCR1,One,iop\r\nCR2,Two,ward\r\nCR3,Three,op\r\n');
    expect(s).toMatchObject({ inserted: 2, rejected: 1 });
    expect(s.errors).toEqual([{ line: 3, column: 'level_of_care', value: 'ward', message: 'must be one of iop, php, op' }]);
    expect(await trackName('CR3')).toBe('Three');
  });

  it('keeps non-ASCII UTF-8 text intact', async () => {
    await ingestText(t.wh, 'tracks', csv('track_code,name', 'UTF1,Programa de día – señoras'));
    expect(await trackName('UTF1')).toBe('Programa de día – señoras');
  });

  it('fails the whole file when it is not UTF-8 (Latin-1 bytes), applies nothing and records a failed batch', async () => {
    const before = await count(t.wh, 'tracks');
    const latin1 = Buffer.concat([
      Buffer.from('track_code,name\nLAT1,Fine\nLAT2,Programa de d'),
      Buffer.from([0xed, 0x61]), // "ía" in ISO-8859-1
      Buffer.from('\n'),
    ]);
    const err = await ingestText(t.wh, 'tracks', latin1, { source: 'latin1.csv' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileError);
    expect((err as Error).message).toMatch(/not valid UTF-8 \(near line 3\)/);
    expect(await count(t.wh, 'tracks')).toBe(before);
    const batch = await t.wh.db.selectFrom('ingest_batches').select(['status', 'error']).where('source_name', '=', 'latin1.csv').execute();
    expect(batch).toEqual([{ status: 'failed', error: expect.stringMatching(/UTF-8/) }]);
  });
});

describe('RFC 4180 quoting', () => {
  it('keeps a quoted comma inside one field', async () => {
    const s = await ingestText(t.wh, 'tracks', csv('track_code,name', 'Q1,"Evening, women"', 'Q2,"He said ""hi"""'));
    expect(s).toMatchObject({ inserted: 2, rejected: 0 });
    expect(await trackName('Q1')).toBe('Evening, women');
    expect(await trackName('Q2')).toBe('He said "hi"');
  });

  it('keeps a quoted newline inside one field and counts the lines after it physically', async () => {
    const s = await ingestText(t.wh, 'tracks', csv('track_code,name,level_of_care', 'NL1,"Two', 'lines",iop', 'NL2,Bad,ward'));
    expect(s).toMatchObject({ rows_read: 2, inserted: 1, rejected: 1 });
    expect(s.errors).toEqual([{ line: 4, column: 'level_of_care', value: 'ward', message: 'must be one of iop, php, op' }]);
    expect(await trackName('NL1')).toBe('Two\nlines');
  });

  it('reports a rejected multi-line record at the line where it starts', async () => {
    const s = await ingestText(t.wh, 'tracks', csv('track_code,name,level_of_care', 'ML1,One,iop', 'ML2,"Three', 'physical', 'lines",ward', 'ML3,Bad,ward'));
    expect(s.errors.map((e) => e.line)).toEqual([3, 6]);
  });

  it('counts a CRLF inside quotes as one physical line, and reports the last record at its line without a final line end', async () => {
    const s = await ingestText(t.wh, 'tracks', 'track_code,name,level_of_care\r\nNE1,"A\r\nB",iop\r\nNE2,Bad,ward');
    expect(s.errors.map((e) => e.line)).toEqual([4]);
    expect(await trackName('NE1')).toBe('A\r\nB');
  });
});

describe('malformed CSV', () => {
  it('fails the whole file on an unclosed quote, even after valid rows, and applies nothing', async () => {
    const err = await ingestText(t.wh, 'tracks', csv('track_code,name', 'UQ1,Fine', 'UQ2,"Never closed'), { source: 'unclosed.csv' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileError);
    expect((err as Error).message).toMatch(/not readable as CSV: Quote Not Closed/);
    expect(await trackName('UQ1')).toBeUndefined();
    const batch = await t.wh.db.selectFrom('ingest_batches').select('status').where('source_name', '=', 'unclosed.csv').execute();
    expect(batch).toEqual([{ status: 'failed' }]);
  });
});

describe('blank lines', () => {
  it('ignores blank lines in the middle and at the end, and line numbers stay physical', async () => {
    const s = await ingestText(t.wh, 'tracks', 'track_code,name,level_of_care\n\nBL1,One,iop\n\n\nBL2,Two,ward\nBL3,Three,op\n\n\n');
    expect(s).toMatchObject({ rows_read: 3, inserted: 2, rejected: 1 });
    expect(s.errors).toEqual([{ line: 6, column: 'level_of_care', value: 'ward', message: 'must be one of iop, php, op' }]);
  });

  it('ignores blank CRLF lines too', async () => {
    const s = await ingestText(t.wh, 'tracks', 'track_code,name,level_of_care\r\n\r\nBC1,One,ward\r\n\r\n');
    expect(s.errors.map((e) => e.line)).toEqual([3]);
  });
});

describe('header', () => {
  it('matches header names case-insensitively and ignores surrounding spaces', async () => {
    const s = await ingestText(t.wh, 'tracks', csv(' Track_Code , NAME ,Level_Of_Care', 'HC1,Header case,PHP'));
    expect(s).toMatchObject({ inserted: 1, rejected: 0, warnings: [] });
    const row = await t.wh.db.selectFrom('tracks').select(['name', 'level_of_care']).where('track_code', '=', 'HC1').executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Header case', level_of_care: 'php' });
  });

  it('ignores unknown columns and warns about them in the summary', async () => {
    const s = await ingestText(t.wh, 'tracks', csv('track_code,notes,name,Site', 'UK1,ignore me,Unknown columns,North'));
    expect(s).toMatchObject({ inserted: 1, rejected: 0 });
    expect(s.warnings).toEqual(['ignored unknown column(s): notes, Site']);
    expect(await trackName('UK1')).toBe('Unknown columns');
  });

  it('fails the whole file when a required column is missing, naming the column', async () => {
    const before = await count(t.wh, 'attendance');
    const err = await ingestText(t.wh, 'attendance', csv('session_id,episode_id,session_date', 'MC1,E1,2024-01-15')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileError);
    expect((err as Error).message).toMatch(/^missing required column status for attendance/);
    expect(await count(t.wh, 'attendance')).toBe(before);
  });

  it('fails the whole file when a column appears twice', async () => {
    const err = await ingestText(t.wh, 'tracks', csv('track_code,name,Name', 'DUP1,a,b')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileError);
    expect((err as Error).message).toMatch(/column "name" appears twice/);
  });

  it('fails an empty file and a header-less whitespace file as whole-file errors', async () => {
    for (const text of ['', '\n\n']) {
      const err = await ingestText(t.wh, 'tracks', text).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FileError);
      expect((err as Error).message).toMatch(/empty/);
    }
  });

  it('commits a header-only file as a batch with no rows', async () => {
    const s = await ingestText(t.wh, 'tracks', 'track_code,name\n');
    expect(s).toMatchObject({ status: 'committed', rows_read: 0, inserted: 0, rejected: 0 });
  });
});

describe('record width', () => {
  it('rejects a row with more fields than the header and keeps the other rows', async () => {
    const s = await ingestText(t.wh, 'tracks', csv('track_code,name', 'W1,One', 'W2,Two, with comma', 'W3,Three'));
    expect(s).toMatchObject({ inserted: 2, rejected: 1 });
    expect(s.errors).toEqual([{ line: 3, column: '', value: null, message: 'has 3 fields but the header has 2; check for an unquoted comma' }]);
    const raw = await t.wh.db.selectFrom('rejected_rows').select('raw').where('batch_id', '=', s.batch_id).executeTakeFirstOrThrow();
    expect(raw.raw).toEqual({ track_code: 'W2', name: 'Two' });
  });

  it('reads missing trailing fields as empty cells', async () => {
    const s = await ingestText(t.wh, 'tracks', csv('track_code,name,level_of_care', 'SH1,Short'));
    expect(s).toMatchObject({ inserted: 1, rejected: 0 });
  });
});
