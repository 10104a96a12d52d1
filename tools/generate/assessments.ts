/**
 * Assessment rows for one episode: PHQ-9 and GAD-7 at intake (admission −3..+3 days) and at
 * every two-week review the patient attends, a discharge review at a planned discharge, PCL-5 every four
 * weeks for patients screened for trauma, and AUDIT-C or DAST-10 at intake and discharge.
 */
import type { DayFormatter } from './calendar';
import type { LineSink } from './attendance';
import type { EpisodeFrame, Visit } from './schedule';
import { scoreAt, spreadItems, type SymptomProfile, type Trajectory } from './scores';
import { Rng, clamp } from './prng';

const ITEM_COLUMNS = 9;
export const ASSESSMENT_COLUMNS = [
  'patient_id', 'instrument', 'administered_on', 'total_score', 'episode_id',
  ...Array.from({ length: ITEM_COLUMNS }, (_, i) => `item_${i + 1}`),
];
const NO_ITEMS = ','.repeat(ITEM_COLUMNS - 1);
/** Share of rows sent without episode_id, which ingest links by date (docs/warehouse.md). */
const UNLINKED = 0.12;

export interface AssessmentFrame extends EpisodeFrame {
  /** Closed with a planned discharge (completed or transferred): a discharge review is done. */
  plannedDischarge: boolean;
  symptoms: SymptomProfile;
}

interface Occasion {
  offset: number;
  kind: 'intake' | 'review' | 'discharge';
}

function firstAttendedIn(visits: readonly Visit[], from: number, to: number): number | null {
  for (const v of visits) {
    if (v.offset > to) return null;
    if (v.offset >= from && v.status === 'attended') return v.offset;
  }
  return null;
}

function occasions(rng: Rng, f: AssessmentFrame): Occasion[] {
  const list: Occasion[] = [{ offset: Math.min(rng.int(-3, 3), f.endOffset), kind: 'intake' }];
  let previous = list[0]?.offset ?? 0;
  const lastReview = Math.min(f.lastAttended, f.endOffset);
  for (let target = 14; target <= lastReview; target += 14) {
    const offset = firstAttendedIn(f.visits, Math.max(target, previous + 1), Math.min(target + 6, lastReview));
    if (offset === null) continue;
    list.push({ offset, kind: 'review' });
    previous = offset;
  }
  if (f.plannedDischarge && f.lastAttended - previous >= 7) list.push({ offset: f.lastAttended, kind: 'discharge' });
  return list;
}

function itemsField(rng: Rng, total: number, count: number, lightItem: number): string {
  const items = spreadItems(rng, total, count, 3, lightItem);
  return items.join(',') + ','.repeat(ITEM_COLUMNS - count);
}

export function writeAssessments(sink: LineSink, rng: Rng, f: AssessmentFrame, dates: DayFormatter): void {
  const emit = (code: string, offset: number, total: number, items: string | null, totalShown = true): void => {
    const episode = rng.chance(UNLINKED) ? '' : f.episodeId;
    const date = dates.format(f.admitted + offset);
    sink.push(`${f.patientId},${code},${date},${totalShown ? total : ''},${episode},${items ?? NO_ITEMS}\n`);
  };
  const withItems = (code: string, t: Trajectory, offset: number, count: number, lightItem: number): void => {
    const total = scoreAt(rng, t, offset);
    const mode = rng.next();
    // Most sites keep item scores; some export only totals, and a few only items.
    if (mode < 0.38) emit(code, offset, total, null);
    else emit(code, offset, total, itemsField(rng, total, count, lightItem), mode >= 0.4);
  };
  const all = occasions(rng, f);
  const drug = f.substance !== 'alcohol';
  const screenBase = drug ? clamp(rng.normal(6, 1.8), 1, 10) : clamp(rng.normal(8, 2.2), 2, 12);
  all.forEach((occasion, n) => {
    const { offset, kind } = occasion;
    if (rng.chance(0.97)) withItems('PHQ-9', f.symptoms.phq9, offset, 9, 8);
    if (rng.chance(0.92)) withItems('GAD-7', f.symptoms.gad7, offset, 7, -1);
    if (f.symptoms.pcl5 && (kind !== 'review' || n % 2 === 0)) emit('PCL-5', offset, scoreAt(rng, f.symptoms.pcl5, offset), null);
    if (kind === 'review') return;
    const screen = kind === 'intake' ? screenBase : screenBase - rng.normal(drug ? 3 : 4, 1.5);
    emit(drug ? 'DAST-10' : 'AUDIT-C', offset, Math.round(clamp(screen, 0, drug ? 10 : 12)), null);
  });
}
