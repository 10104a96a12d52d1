import { DEP_REM_12, DEP_REM_6, DEP_RESP_6 } from './depression';
import { followup6m } from './followup-6m';
import { noms } from './noms';
import type { MeasureName, MeasureSpec } from './spec';

/**
 * The registered measures: one line per measure (docs/architecture.md "Adding a standard
 * measure"). A name of MEASURE_NAMES not registered here answers "measure X is not
 * available" (CLI exit 64, API 400).
 */
export const MEASURES: Partial<Record<MeasureName, MeasureSpec>> = {
  'dep-rem-6': DEP_REM_6,
  'dep-rem-12': DEP_REM_12,
  'dep-resp-6': DEP_RESP_6,
  'followup-6m': followup6m,
  noms,
};

export function measureSpec(name: MeasureName): MeasureSpec | null {
  return MEASURES[name] ?? null;
}
