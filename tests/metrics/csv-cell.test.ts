import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvCell, csvDocument, FORMULA_START, isNumericText } from '../../metrics/csv-cell';

/** The cell as a spreadsheet or an R script reads it back (RFC 4180 unquoting by csv-parse). */
const unquote = (cell: string): string => {
  const records = parse(`${cell}\r\n`, { relax_column_count: true, record_delimiter: '\r\n' }) as string[][];
  return records[0]?.[0] ?? '';
};

describe('csvCell: RFC 4180 quoting with formula neutralisation (OWASP CSV injection)', () => {
  it('prefixes a text cell that starts with = + - @ tab or CR with a quote mark and quotes it', () => {
    expect(csvCell('=HYPERLINK("http://evil","x")')).toBe(`"'=HYPERLINK(""http://evil"",""x"")"`);
    expect(csvCell("-2+3+cmd|' /C calc'!A0")).toBe(`"'-2+3+cmd|' /C calc'!A0"`);
    expect(csvCell('+1')).toBe(`"'+1"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\t=1')).toBe(`"'\t=1"`);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
  });

  it('writes a JS number as a number, negatives included, with no prefix', () => {
    expect(csvCell(-2.5)).toBe('-2.5');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(0.125)).toBe('0.125');
  });

  it('leaves a text cell alone when it is a plain decimal literal, and only then', () => {
    expect(csvCell('-2.5')).toBe('-2.5');
    expect(csvCell('42')).toBe('42');
    expect(isNumericText('-2.5')).toBe(true);
    for (const s of ['-2+3', '-1e5', '-.5', '-2.', '- 2', '-0x10', '-2.5\n']) expect(isNumericText(s), s).toBe(false);
    expect(csvCell('-1e5')).toBe(`"'-1e5"`);
  });

  it('quotes commas, quotes and line breaks, writes null as empty and booleans as words', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvCell('alcohol')).toBe('alcohol');
  });

  it('writes a document with CRLF line ends and a final CRLF', () => {
    expect(csvDocument([['a', 'b'], ['=1', -1]])).toBe(`a,b\r\n"'=1",-1\r\n`);
  });

  it('property: read back, a cell never starts with a formula character, and is the original text or it with one quote mark before it', () => {
    const dangerous = fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', '\0');
    const text = fc.oneof(fc.string({ unit: 'binary' }), fc.tuple(dangerous, fc.string({ unit: 'binary' })).map(([d, s]) => d + s));
    fc.assert(fc.property(text, (s) => {
      const back = unquote(csvCell(s));
      expect(FORMULA_START.test(back) && !isNumericText(back)).toBe(false);
      const expected = FORMULA_START.test(s) && !isNumericText(s) ? `'${s}` : s;
      expect(back).toBe(expected);
    }), { numRuns: 500 });
  });

  it('property: a finite number reads back as the same number', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
      expect(Number(unquote(csvCell(n)))).toBe(n === 0 ? 0 : n);
    }));
  });
});
