import { SEVERITY_BAND_POINTS, SEVERITY_MAX_BANDS } from '../../warehouse/rules';

/** A score band, both ends included. */
export type Band = [number, number];

/**
 * The severity bands of an instrument's score range (warehouse/rules.ts SEVERITY_BAND_POINTS and
 * SEVERITY_MAX_BANDS): for PHQ-9 (0–27) 0–4, 5–9, 10–14, 15–19, 20–27; for GAD-7 (0–21) 0–4, 5–9, 10–14, 15–21.
 */
export function severityBands(min: number, max: number): Band[] {
  const span = Math.floor(max) - Math.ceil(min) + 1;
  const width = SEVERITY_BAND_POINTS * Math.max(1, Math.ceil(span / SEVERITY_MAX_BANDS / SEVERITY_BAND_POINTS));
  const bands: Band[] = [];
  for (let lo = Math.ceil(min); lo <= max; lo += width) bands.push([lo, Math.min(lo + width - 1, Math.floor(max))]);
  const last = bands.at(-1);
  if (bands.length > 1 && last && last[1] - last[0] + 1 < width) {
    bands.pop();
    const before = bands.at(-1);
    if (before) before[1] = last[1];
  }
  return bands;
}

/** The band a score lies in (scores are whole points; a fractional one falls in the band whose start it reaches). */
export function bandIndex(bands: readonly Band[], score: number): number {
  for (let i = bands.length - 1; i >= 0; i--) if (score >= (bands[i]?.[0] ?? Infinity)) return i;
  return 0;
}
