import crypto from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TEDS_D_CODING_VERSION } from '../../metrics/exports/teds-d';

// The TEDS-D extract keeps coded rows between runs and codes them again only when what they
// were coded under changes; TEDS_D_CODING_VERSION stands for the code (metrics/exports/teds-d.ts).
// This pins the sources that decide a coded row to that number: an edit of any of them fails
// here until someone decides whether it can change a row (then bump the version, so stored
// rows are coded again) and records the new hash.
const SOURCES = ['metrics/exports/teds-d.ts', 'metrics/exports/teds-d-codes.ts', 'metrics/exports/pseudonym.ts', 'metrics/csv-cell.ts',
  // selfReportTest: which tests are self-reports (FREQ1_D)
  'warehouse/models/per-episode.ts'];
const RECORDED = { version: 1, sha256: 'a11851e3301b114cfe18fa9bdea871bf7904c182634add8c112b5ef0d7955316' };

describe('TEDS-D coding version', () => {
  it('is bumped (or confirmed) whenever the sources of a coded row change', () => {
    const hash = crypto.createHash('sha256');
    for (const file of SOURCES) hash.update(fs.readFileSync(file, 'utf8').replace(/\r\n/g, '\n'));
    const sha256 = hash.digest('hex');
    expect({ version: TEDS_D_CODING_VERSION, sha256 }, 'a source of the TEDS-D coded rows changed: if it can change a row, bump TEDS_D_CODING_VERSION; then record the version and hash here').toEqual(RECORDED);
  });
});
