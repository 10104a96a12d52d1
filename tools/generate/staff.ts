/**
 * The programme's sites and clinicians (docs/formats.md "Entities"): three clinics of one
 * organisation, each with its therapists and a prescriber, and which tracks run where.
 * Names are invented.
 */
import type { TrackProfile } from './catalog';
import { Weighted } from './prng';

export interface Site {
  code: string;
  name: string;
  organization: string;
  state: string;
}

const ORG = 'Riverbend Behavioral Health';
export const SITES: readonly Site[] = [
  { code: 'downtown', name: 'Downtown Recovery Center', organization: ORG, state: 'OR' },
  { code: 'eastside', name: 'Eastside Counseling', organization: ORG, state: 'OR' },
  { code: 'vancouver', name: 'Vancouver Clinic', organization: ORG, state: 'WA' },
];

export interface Clinician {
  id: string;
  name: string;
  discipline: string;
  /** Null for a clinician who works across sites. */
  site: string | null;
  /** Prescribers see the medication sessions; the others carry caseloads and lead groups. */
  prescriber: boolean;
  /** Left the programme a year before as-of: a primary clinician only of earlier admissions. */
  leftYearAgo: boolean;
}

export const CLINICIANS: readonly Clinician[] = [
  { id: 'C01', name: 'Maria Alvarez', discipline: 'LCSW', site: 'downtown', prescriber: false, leftYearAgo: false },
  { id: 'C02', name: 'James Okafor', discipline: 'LPC', site: 'downtown', prescriber: false, leftYearAgo: false },
  { id: 'C03', name: 'Priya Raman', discipline: 'psychiatry (MD)', site: 'downtown', prescriber: true, leftYearAgo: false },
  { id: 'C04', name: 'Tom Becker', discipline: 'CADC', site: 'downtown', prescriber: false, leftYearAgo: false },
  { id: 'C05', name: 'Lena Fischer', discipline: 'LMFT', site: 'downtown', prescriber: false, leftYearAgo: true },
  { id: 'C06', name: 'Sam Whitehorse', discipline: 'LCSW', site: 'eastside', prescriber: false, leftYearAgo: false },
  { id: 'C07', name: 'Grace Liu', discipline: 'PMHNP', site: 'eastside', prescriber: true, leftYearAgo: false },
  { id: 'C08', name: 'Daniel Moreau', discipline: 'LPC', site: 'eastside', prescriber: false, leftYearAgo: false },
  { id: 'C09', name: 'Aisha Johnson', discipline: 'LMFT', site: 'vancouver', prescriber: false, leftYearAgo: false },
  { id: 'C10', name: "Kevin O'Brien", discipline: 'CADC', site: 'vancouver', prescriber: false, leftYearAgo: false },
  { id: 'C11', name: 'Rosa Delgado', discipline: 'LCSW', site: 'vancouver', prescriber: false, leftYearAgo: false },
  { id: 'C12', name: 'Ben Carter', discipline: 'psychology (PhD)', site: null, prescriber: false, leftYearAgo: false },
];

/** The planned length of each track, in weeks (tracks.planned_weeks); episodes plan 8–12 weeks (course.ts). */
export const PLANNED_WEEKS: Readonly<Record<string, number>> = {
  day: 10, evening: 10, 'php-step-down': 8, womens: 10, mens: 10, family: 12,
};

/** Where each track runs, by share of its admissions. */
const TRACK_SITES: Readonly<Record<string, readonly (readonly [string, number])[]>> = {
  day: [['downtown', 0.7], ['eastside', 0.3]],
  evening: [['downtown', 0.5], ['eastside', 0.3], ['vancouver', 0.2]],
  'php-step-down': [['downtown', 1]],
  womens: [['eastside', 0.6], ['downtown', 0.4]],
  mens: [['downtown', 0.6], ['vancouver', 0.4]],
  family: [['vancouver', 0.6], ['eastside', 0.4]],
};

const siteMixes = new Map(Object.entries(TRACK_SITES).map(([track, shares]) => [track, new Weighted(shares.map(([s, w]) => [s, w] as const))]));

export function siteMix(track: TrackProfile): Weighted<string> {
  const mix = siteMixes.get(track.code);
  if (!mix) throw new Error(`no sites for track ${track.code}`);
  return mix;
}

/** The therapists of a site (caseloads and groups), and its prescriber (the downtown psychiatrist covers Vancouver by telehealth). */
export function therapistsAt(site: string, current: boolean): Clinician[] {
  return CLINICIANS.filter((c) => c.site === site && !c.prescriber && (!current || !c.leftYearAgo));
}

export function prescriberAt(site: string): Clinician {
  const found = CLINICIANS.find((c) => c.site === site && c.prescriber) ?? CLINICIANS.find((c) => c.id === 'C03');
  if (!found) throw new Error(`no prescriber for site ${site}`);
  return found;
}
