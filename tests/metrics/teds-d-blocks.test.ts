import { describe, expect, it } from 'vitest';
import { blockRowsIn, bucketShift } from '../../metrics/exports/teds-d';

// The stored blocks of the TEDS-D extract (metrics/exports/teds-d.ts): a block's rows each
// end in CRLF, and its dates hold one YYYYMMDD per row. A block that straddles the range is
// cut row by row; both ends of the range are in, the day before and the day after are out.
describe('blockRowsIn', () => {
  const rows = ['a1,2024', 'b2,2024', 'c3,2024', 'd4,2025', 'e5,2025'];
  const dates = ['20231231', '20240101', '20240615', '20241231', '20250101'];
  const lines = rows.map((r) => `${r}\r\n`).join('');

  it('keeps the rows discharged from `from` to `to`, both days in, in the block order', () => {
    expect(blockRowsIn(lines, dates.join(''), '20240101', '20241231')).toBe('b2,2024\r\nc3,2024\r\nd4,2025\r\n');
  });

  it('fails if either end moves by one day', () => {
    expect(blockRowsIn(lines, dates.join(''), '20240102', '20241231')).not.toContain('b2');
    expect(blockRowsIn(lines, dates.join(''), '20231231', '20241231')).toContain('a1');
    expect(blockRowsIn(lines, dates.join(''), '20240101', '20241230')).not.toContain('d4');
    expect(blockRowsIn(lines, dates.join(''), '20240101', '20250101')).toContain('e5');
  });

  it('gives nothing for a range no row is in, and refuses a block without its final CRLF', () => {
    expect(blockRowsIn(lines, dates.join(''), '20260101', '20261231')).toBe('');
    expect(() => blockRowsIn('a1,2024', '20240101', '20240101', '20241231')).toThrow(/CRLF/);
  });
});

describe('bucketShift', () => {
  it('aims at about 24 rows a block, between 4 and 2^20 blocks', () => {
    expect(64 - bucketShift(0)).toBe(2);
    expect(64 - bucketShift(96)).toBe(2);
    expect(64 - bucketShift(97)).toBe(3);
    expect(64 - bucketShift(184_939)).toBe(13);
    expect(64 - bucketShift(1e12)).toBe(20);
  });
});
