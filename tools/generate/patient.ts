/** One synthetic patient: demographics, primary substance and whether they come back. */
import {
  ADOLESCENT_SUBSTANCES,
  ADULT_SUBSTANCES,
  ETHNICITIES,
  RACES,
  SEXES,
  TRACK_MIX,
  TRACKS,
  type Sex,
  type Substance,
  type TrackProfile,
} from './catalog';
import { yearOf } from './calendar';
import { Rng, clamp } from './prng';

export const PATIENT_STREAM = 1;

/** Share of patients readmitted after a discharge; IOP readmission within a year runs 10–20%. */
const READMISSION_SHARE = 0.15;
/** Admissions spread over the two years before as-of. */
const ADMISSION_WINDOW_DAYS = 730;

export interface Patient {
  index: number;
  id: string;
  sex: Sex;
  birthYear: number;
  race: string;
  ethnicity: string;
  substance: Substance;
  firstTrack: TrackProfile;
  firstAdmission: number;
  /** Days from a discharge to the readmission, or null when the patient never returns. */
  readmissionGap: number | null;
  readmissionTrack: TrackProfile;
}

export function patientId(index: number): string {
  return `P${String(index + 1).padStart(6, '0')}`;
}

function canJoin(track: TrackProfile, sex: Sex): boolean {
  return track.sex === null || track.sex === sex;
}

function drawAge(rng: Rng, track: TrackProfile): number {
  if (rng.chance(track.adolescentShare)) return rng.int(13, 17);
  // Adult IOP admissions centre on the mid-thirties with a long tail to seventy.
  for (let attempt = 0; attempt < 8; attempt++) {
    const age = Math.round(rng.normal(37, 11.5));
    if (age >= 18 && age <= 70) return age;
  }
  return rng.int(25, 45);
}

function drawReadmissionTrack(rng: Rng, first: TrackProfile, sex: Sex, age: number): TrackProfile {
  if (rng.chance(0.6) || age < 18) return first;
  for (let attempt = 0; attempt < 8; attempt++) {
    const track = TRACK_MIX.draw(rng);
    if (canJoin(track, sex)) return track;
  }
  return TRACKS[0] ?? first;
}

export function makePatient(seed: number, index: number, lastEventDay: number): Patient {
  const rng = new Rng(seed, PATIENT_STREAM, index);
  const firstTrack = TRACK_MIX.draw(rng);
  const sex = firstTrack.sex ?? SEXES.draw(rng);
  const age = drawAge(rng, firstTrack);
  const firstAdmission = lastEventDay - Math.floor(rng.next() * ADMISSION_WINDOW_DAYS);
  const substance = (age < 18 ? ADOLESCENT_SUBSTANCES : ADULT_SUBSTANCES).draw(rng);
  // Gaps of at least three weeks keep the linking windows (admission − 14 d … discharge + 14 d)
  // of two episodes apart, so a row without episode_id links to the right one.
  const gap = 21 + Math.round(clamp(rng.weibull(1.1, 110), 0, 500));
  return {
    index,
    id: patientId(index),
    sex,
    birthYear: yearOf(firstAdmission) - age,
    race: RACES.draw(rng),
    ethnicity: ETHNICITIES.draw(rng),
    substance,
    firstTrack,
    firstAdmission,
    readmissionGap: rng.chance(READMISSION_SHARE) ? gap : null,
    readmissionTrack: drawReadmissionTrack(rng, firstTrack, sex, age),
  };
}
