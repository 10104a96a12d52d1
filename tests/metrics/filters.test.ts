import { describe, expect, it } from 'vitest';
import { parseFilters } from '../../metrics/filters';

describe('metric filters', () => {
  it('reads min_cell only from whole digits, so an empty value never turns suppression off', () => {
    for (const bad of ['', ' ', '0x10', '1e1', '-1', '5.5', '1001']) {
      const r = parseFilters({ min_cell: bad });
      expect(r.ok, `min_cell=${JSON.stringify(bad)}`).toBe(false);
    }
    const ok = parseFilters({ min_cell: '0' });
    expect(ok.ok && ok.filters.min_cell).toBe(0);
    const eleven = parseFilters({ min_cell: 11 });
    expect(eleven.ok && eleven.filters.min_cell).toBe(11);
  });
});
