/**
 * An episode's intake and staff (docs/formats.md, round-2 episode columns): where it is
 * treated, its primary clinician, its first contact and evaluation dates and its
 * ICD-10-CM diagnoses. Drawn from a stream of its own (INTAKE_STREAM), so adding these
 * columns changed no number the rest of the cohort draws.
 *
 * Gaps are deliberate and realistic: about 20% of episodes have no first contact date (a
 * walk-in or a transfer whose referral was not recorded) and 30% no diagnosis in the
 * export; 3% name no primary clinician.
 */
import type { Substance, TrackProfile } from './catalog';
import { Rng } from './prng';
import type { SymptomProfile } from './scores';
import { siteMix, therapistsAt, type Clinician } from './staff';

export const INTAKE_STREAM = 3;

const FIRST_CONTACT_SHARE = 0.8;
const EVALUATED_SHARE = 0.9;
const DIAGNOSED_SHARE = 0.7;
const CLINICIAN_SHARE = 0.97;
const DAYS_PER_YEAR = 365;

/** The day a clinician who left stopped working: a year before the last event day. */
export function staffChangeDay(lastEventDay: number): number {
  return lastEventDay - DAYS_PER_YEAR;
}

/** The dependence code of each substance (ICD-10-CM F10–F19, ".20": dependence, uncomplicated). */
const DEPENDENCE: Readonly<Record<Substance, readonly string[]>> = {
  alcohol: ['F10.20'],
  opioids: ['F11.20'],
  cannabis: ['F12.20'],
  benzodiazepines: ['F13.20'],
  // Cocaine (F14) or other stimulants such as methamphetamine (F15).
  stimulants: ['F14.20', 'F15.20'],
};

export interface Intake {
  site: string;
  clinician: Clinician | null;
  firstContact: number | null;
  evaluated: number | null;
  /** ICD-10-CM codes, the substance use disorder first. */
  diagnoses: string[];
}

export function drawIntake(seed: number, index: number, track: TrackProfile, admitted: number, lastEventDay: number): Omit<Intake, 'diagnoses'> & { rng: Rng } {
  const rng = new Rng(seed, INTAKE_STREAM, index);
  const site = siteMix(track).draw(rng);
  // A clinician who has left carries only admissions from before they left.
  const caseload = therapistsAt(site, admitted >= staffChangeDay(lastEventDay));
  const pick = caseload[Math.floor(rng.next() * caseload.length)];
  const clinician = rng.chance(CLINICIAN_SHARE) ? pick ?? null : null;
  let firstContact: number | null = null;
  let evaluated: number | null = null;
  if (rng.chance(FIRST_CONTACT_SHARE)) {
    // Most start within a week of calling; a third wait two to four weeks for a slot.
    const wait = rng.int(1, 6) + (rng.chance(0.3) ? rng.int(7, 21) : 0);
    firstContact = admitted - wait;
    if (rng.chance(EVALUATED_SHARE)) evaluated = firstContact + rng.int(0, Math.min(wait, 5));
  } else if (rng.chance(0.5)) {
    evaluated = admitted - rng.int(0, 2);
  }
  return { rng, site, clinician, firstContact, evaluated };
}

/**
 * Diagnoses that agree with the simulated symptoms: depression when the PHQ-9 baseline is
 * at least 10 (moderate or worse, single or recurrent episode; severe from 20), anxiety
 * when the GAD-7 baseline is at least 10, PTSD for those screened with PCL-5.
 */
export function drawDiagnoses(rng: Rng, substance: Substance, symptoms: SymptomProfile): string[] {
  if (!rng.chance(DIAGNOSED_SHARE)) return [];
  const codes: string[] = [];
  const sud = DEPENDENCE[substance];
  codes.push(sud[Math.floor(rng.next() * sud.length)] ?? 'F19.20');
  const phq = symptoms.phq9.baseline;
  if (phq >= 10 && rng.chance(0.75)) {
    const recurrent = rng.chance(0.4);
    codes.push(`${recurrent ? 'F33' : 'F32'}.${phq >= 20 ? 2 : 1}`);
  }
  if (symptoms.gad7.baseline >= 10 && rng.chance(0.4)) codes.push('F41.1');
  if (symptoms.pcl5 && rng.chance(0.6)) codes.push('F43.10');
  return codes;
}
