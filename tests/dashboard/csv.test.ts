import { describe, expect, it } from 'vitest';
import { toCsv } from '../../dashboard/src/csv';

describe('dashboard CSV downloads (issue 20 item 3)', () => {
  it('prefixes a formula in a text cell with a quote mark and quotes it', () => {
    const csv = toCsv([{ group: '=HYPERLINK("http://evil","x")', n: 12 }]);
    expect(csv).toBe(`group,n\r\n"'=HYPERLINK(""http://evil"",""x"")",12\r\n`);
  });

  it('prefixes the DDE payload that starts with -2', () => {
    expect(toCsv([{ track: "-2+3+cmd|' /C calc'!A0" }])).toBe(`track\r\n"'-2+3+cmd|' /C calc'!A0"\r\n`);
  });

  it('keeps negative numbers numbers and null cells empty', () => {
    expect(toCsv([{ change: -2.5, text: '-4', ci: null }])).toBe('change,text,ci\r\n-2.5,-4,\r\n');
  });

  it('neutralises a formula in a header too', () => {
    expect(toCsv([{ '@cmd': 1 }])).toBe(`"'@cmd"\r\n1\r\n`);
  });
});
