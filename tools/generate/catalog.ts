/**
 * The programme the synthetic cohort is drawn from: tracks, demographics, substances and
 * discharge outcomes. Shares are rounded from public sources so that the demo looks like a real
 * IOP to a clinical director; each constant cites where its numbers come from.
 */
import { Weighted } from './prng';

export type Sex = 'female' | 'male' | 'other' | 'unknown';
export type Substance = 'alcohol' | 'opioids' | 'stimulants' | 'cannabis' | 'benzodiazepines';
export type DischargeReason =
  | 'completed'
  | 'transferred'
  | 'dropped_out'
  | 'against_advice'
  | 'terminated'
  | 'incarcerated'
  | 'other';

export interface TrackProfile {
  code: string;
  name: string;
  levelOfCare: 'iop' | 'php';
  /** Share of admissions. */
  share: number;
  /** Gender-specific tracks admit one sex only. */
  sex: Sex | null;
  /** Program days, Monday = 0. ASAM level 2.1 asks for at least 9 hours a week. */
  weekdays: readonly number[];
  /** Each program day is this many group blocks (e.g. a process group and a skills group). */
  groupsPerDay: number;
  groupMinutes: number;
  /** Multiplies the dropout and against-advice shares; completion absorbs the difference. */
  dropoutFactor: number;
  /** Mean PHQ-9 improvement over a full episode, in points. */
  phqEffect: number;
  /** Share of adolescents (13–17); only the family track admits them. */
  adolescentShare: number;
}

export const TRACKS: readonly TrackProfile[] = [
  { code: 'day', name: 'Day IOP', levelOfCare: 'iop', share: 0.24, sex: null, weekdays: [0, 1, 2, 3, 4],
    groupsPerDay: 2, groupMinutes: 90, dropoutFactor: 1.0, phqEffect: 6, adolescentShare: 0 },
  { code: 'evening', name: 'Evening IOP', levelOfCare: 'iop', share: 0.25, sex: null, weekdays: [0, 1, 3],
    groupsPerDay: 2, groupMinutes: 90, dropoutFactor: 1.3, phqEffect: 5, adolescentShare: 0 },
  { code: 'php-step-down', name: 'PHP Step-Down', levelOfCare: 'php', share: 0.12, sex: null,
    weekdays: [0, 1, 2, 3, 4], groupsPerDay: 2, groupMinutes: 120, dropoutFactor: 0.65, phqEffect: 7,
    adolescentShare: 0 },
  { code: 'womens', name: "Women's IOP", levelOfCare: 'iop', share: 0.14, sex: 'female', weekdays: [0, 2, 4],
    groupsPerDay: 2, groupMinutes: 90, dropoutFactor: 0.75, phqEffect: 6.5, adolescentShare: 0 },
  { code: 'mens', name: "Men's IOP", levelOfCare: 'iop', share: 0.15, sex: 'male', weekdays: [0, 2, 5],
    groupsPerDay: 2, groupMinutes: 90, dropoutFactor: 1.2, phqEffect: 4.5, adolescentShare: 0 },
  { code: 'family', name: 'Family Track', levelOfCare: 'iop', share: 0.1, sex: null, weekdays: [1, 3, 5],
    groupsPerDay: 2, groupMinutes: 90, dropoutFactor: 0.9, phqEffect: 5.5, adolescentShare: 0.3 },
];

export const TRACK_MIX = new Weighted(TRACKS.map((t) => [t, t.share] as const));

/**
 * SAMHSA TEDS-D 2004, intensive outpatient discharges by reason (Table 2.5; see
 * tests/reference/published/teds_2004_iop_discharges.csv): completed 37.7, transferred 17.9, dropped out
 * 23.2, terminated 14.0, other 7.2 (%). Dropped out splits 4:1 into `dropped_out` and
 * `against_advice`; incarceration, which TEDS 2004 counts under other, takes a tenth of other.
 * Completed is a little heavier than 37.7 because long (completed) episodes admitted in the last
 * weeks are still open at as-of, which would otherwise pull the discharged share below TEDS.
 */
export const DISCHARGE_SHARES: Readonly<Record<DischargeReason, number>> = {
  completed: 0.395,
  transferred: 0.179,
  dropped_out: 0.186,
  against_advice: 0.046,
  terminated: 0.14,
  incarcerated: 0.007,
  other: 0.065,
};

/** Reasons that docs/metrics.md counts as a dropout event. */
export const DROPOUT_REASONS: ReadonlySet<DischargeReason> = new Set(['dropped_out', 'against_advice', 'terminated']);

/**
 * Primary substance at admission, rounded from TEDS-A intensive-outpatient admissions
 * (alcohol the largest class, then opioids, stimulants and marijuana); adolescents are mostly
 * admitted for cannabis (TEDS-A, admissions aged 12–17).
 */
export const ADULT_SUBSTANCES = new Weighted<Substance>([
  ['alcohol', 0.38], ['opioids', 0.22], ['stimulants', 0.19], ['cannabis', 0.15], ['benzodiazepines', 0.06],
]);
export const ADOLESCENT_SUBSTANCES = new Weighted<Substance>([
  ['cannabis', 0.72], ['alcohol', 0.18], ['stimulants', 0.05], ['opioids', 0.03], ['benzodiazepines', 0.02],
]);

export const SEXES = new Weighted<Sex>([['male', 0.58], ['female', 0.4], ['other', 0.01], ['unknown', 0.01]]);

/** OMB 1997 race categories, shares rounded from TEDS-A admissions. */
export const RACES = new Weighted<string>([
  ['White', 0.64],
  ['Black or African American', 0.17],
  ['American Indian or Alaska Native', 0.03],
  ['Asian', 0.015],
  ['Native Hawaiian or Other Pacific Islander', 0.005],
  ['More than one race', 0.05],
  ['Unknown', 0.09],
]);

export const ETHNICITIES = new Weighted<string>([
  ['Not Hispanic or Latino', 0.8],
  ['Hispanic or Latino', 0.14],
  ['Unknown', 0.06],
]);
