/**
 * The TEDS-D code tables of the discharge extract (docs/funder-reporting.md "TEDS-D
 * discharge extract"): every mapping from our fields to a TEDS-D code is in this module,
 * and nothing else in the product decides a TEDS-D code.
 *
 * Source: Substance Abuse and Mental Health Services Administration, Center for
 * Behavioral Health Statistics and Quality. *Treatment Episode Data Set Discharges
 * (TEDS-D) 2021 Codebook*, public-use file, variables CASEID, DISYR, AGE, GENDER, RACE,
 * ETHNIC, SERVICES_D, REASON, LOS, SUB1 and FREQ1_D
 * (https://www.datafiles.samhsa.gov/study-series/treatment-episode-data-set-discharges-teds-d-nid13520).
 * The values of these variables are the same in the public-use codebooks since 2015;
 * −9 is the codebook's "Missing/unknown/not collected/invalid" in every variable.
 *
 * This module imports nothing, so the query (metrics/exports/teds-d.ts), the tests and the
 * docs test read the same constants.
 */

/** TEDS-D: "Missing/unknown/not collected/invalid", in every variable. */
export const MISSING = -9;

/** The columns of the extract, in the order they are written. */
export const TEDS_D_COLUMNS = ['CASEID', 'DISYR', 'AGE', 'GENDER', 'RACE', 'ETHNIC', 'SERVICES_D', 'REASON', 'LOS', 'SUB1', 'FREQ1_D'] as const;

/** CASEID: the first 16 lower-case hex digits of HMAC-SHA256 of the episode id (docs/funder-reporting.md). */
export const CASEID_HEX_DIGITS = 16;

/** A secret shorter than this is refused: a short key could be found by trying every episode id format. */
export const EXPORT_SECRET_MIN_LENGTH = 32;

/**
 * SERVICES_D, "Type of treatment service/setting at discharge": 6 = Ambulatory, intensive
 * outpatient; 7 = Ambulatory, non-intensive outpatient. Keyed by `tracks.level_of_care`.
 * TEDS has no partial-hospitalization code; its intensive-outpatient definition (two or
 * more hours a day, three or more days a week) covers a PHP day program, so `php` is 6. A
 * track without a level of care is an IOP track of this product: 6.
 */
export const SERVICES_D: Readonly<Record<string, number>> = { iop: 6, php: 6, op: 7 };
export const SERVICES_D_DEFAULT = 6;

/**
 * REASON, "Reason for discharge": 1 Treatment completed, 2 Dropped out of treatment,
 * 3 Terminated by facility, 4 Transferred to another treatment program or facility,
 * 5 Incarcerated, 6 Death, 7 Other. Keyed by `episodes.discharge_reason`; against advice is
 * a drop-out in TEDS.
 */
export const REASON: Readonly<Record<string, number>> = {
  completed: 1, dropped_out: 2, against_advice: 2, terminated: 3, transferred: 4, incarcerated: 5, died: 6, other: 7,
};

/**
 * LOS, "Length of stay (days)": codes 1–30 are the days themselves, then one code per band.
 * Days are discharge date − admission date, a same-day stay counting as 1.
 */
export const LOS_EXACT_DAYS = 30;
export const LOS_BANDS: readonly { readonly upTo: number | null; readonly code: number }[] = [
  { upTo: 45, code: 31 }, { upTo: 60, code: 32 }, { upTo: 90, code: 33 }, { upTo: 120, code: 34 },
  { upTo: 180, code: 35 }, { upTo: 365, code: 36 }, { upTo: null, code: 37 },
];

/**
 * SUB1, "Substance use at admission (primary)": 1 None, 2 Alcohol, 3 Cocaine/crack,
 * 4 Marijuana/hashish, 5 Heroin, 6 Non-prescription methadone, 7 Other opiates and
 * synthetics, 8 PCP, 9 Hallucinogens, 10 Methamphetamine/speed, 11 Other amphetamines,
 * 12 Other stimulants, 13 Benzodiazepines, 14 Other tranquilizers, 15 Barbiturates,
 * 16 Other sedatives or hypnotics, 17 Inhalants, 18 Over-the-counter medications,
 * 19 Other drugs. Keyed by `episodes.primary_substance` (stored lower-cased). Only a name
 * that picks exactly one code is mapped: the class names `opioids` and `stimulants` (and
 * `any`) span several TEDS codes (heroin 5 or other opiates 7; cocaine 3, methamphetamine 10
 * or other stimulants 12) and stay −9 rather than guess.
 */
export const SUB1: Readonly<Record<string, number>> = {
  none: 1,
  alcohol: 2,
  cocaine: 3, crack: 3, 'cocaine/crack': 3,
  cannabis: 4, marijuana: 4, hashish: 4, 'marijuana/hashish': 4,
  heroin: 5,
  methadone: 6, 'non-prescription methadone': 6,
  fentanyl: 7, oxycodone: 7, hydrocodone: 7, codeine: 7, morphine: 7, buprenorphine: 7, 'prescription opioids': 7, 'other opiates and synthetics': 7,
  pcp: 8,
  hallucinogens: 9, lsd: 9,
  methamphetamine: 10, 'methamphetamine/speed': 10,
  amphetamines: 11, 'other amphetamines': 11,
  'other stimulants': 12,
  benzodiazepines: 13,
  'other tranquilizers': 14,
  barbiturates: 15,
  sedatives: 16, 'other sedatives or hypnotics': 16,
  inhalants: 17,
  'over-the-counter medications': 18,
  'other drugs': 19,
};

/**
 * FREQ1_D, "Frequency of use at discharge (primary)": 1 No use in the past month, 2 Some
 * use, 3 Daily use. From `days_used_past_30` of the last self-report in the
 * FREQ1_D_WINDOW_DAYS days before discharge (discharge − 30 … discharge, both ends in).
 */
export const FREQ1_D_WINDOW_DAYS = 30;
export const FREQ1_D = { noUse: 1, someUse: 2, dailyUse: 3 } as const;
/** Days used in the past 30 that count as daily use. */
export const DAILY_USE_DAYS = 30;

/**
 * AGE, "Age at admission": 1 12–14, 2 15–17, 3 18–20, 4 21–24, 5 25–29, 6 30–34, 7 35–39,
 * 8 40–44, 9 45–49, 10 50–54, 11 55–64, 12 65 and older. Age = admission year − birth year
 * (the product stores a birth year, never a date of birth); under 12 is not a TEDS age: −9.
 */
export const AGE_MIN = 12;
export const AGE_BANDS: readonly { readonly upTo: number | null; readonly code: number }[] = [
  { upTo: 14, code: 1 }, { upTo: 17, code: 2 }, { upTo: 20, code: 3 }, { upTo: 24, code: 4 }, { upTo: 29, code: 5 },
  { upTo: 34, code: 6 }, { upTo: 39, code: 7 }, { upTo: 44, code: 8 }, { upTo: 49, code: 9 }, { upTo: 54, code: 10 },
  { upTo: 64, code: 11 }, { upTo: null, code: 12 },
];

/** GENDER: 1 Male, 2 Female. Keyed by `patients.sex`; `other` and `unknown` have no TEDS code. */
export const GENDER: Readonly<Record<string, number>> = { male: 1, female: 2 };

/**
 * RACE: 1 Alaska Native (Aleut, Eskimo, Indian), 2 American Indian (other than Alaska
 * Native), 3 Asian or Pacific Islander, 4 Black or African American, 5 White, 6 Asian,
 * 7 Other single race, 8 Two or more races, 9 Native Hawaiian or Other Pacific Islander.
 * Keyed by `patients.race` lower-cased. The OMB 1997 category "American Indian or Alaska
 * Native" spans codes 1 and 2 and stays −9 rather than guess.
 */
export const RACE: Readonly<Record<string, number>> = {
  'alaska native': 1, 'alaska native (aleut, eskimo, indian)': 1,
  'american indian': 2, 'american indian (other than alaska native)': 2,
  'asian or pacific islander': 3,
  'black or african american': 4, black: 4, 'african american': 4,
  white: 5,
  asian: 6,
  'other single race': 7, other: 7,
  'two or more races': 8, 'more than one race': 8, multiracial: 8,
  'native hawaiian or other pacific islander': 9, 'native hawaiian': 9, 'pacific islander': 9,
};

/**
 * ETHNIC, "Hispanic or Latino origin": 1 Puerto Rican, 2 Mexican, 3 Cuban or other
 * specific Hispanic, 4 Not of Hispanic or Latino origin, 5 Hispanic or Latino, specific
 * origin not specified. Keyed by `patients.ethnicity` lower-cased.
 */
export const ETHNIC: Readonly<Record<string, number>> = {
  'puerto rican': 1,
  mexican: 2,
  cuban: 3, 'cuban or other specific hispanic': 3, 'other specific hispanic': 3,
  'not hispanic or latino': 4, 'not of hispanic or latino origin': 4, 'not hispanic': 4, 'non-hispanic': 4,
  'hispanic or latino': 5, hispanic: 5, latino: 5, 'hispanic or latino, specific origin not specified': 5,
};

/** Free text as the tables key it: lower-cased, trimmed, inner whitespace collapsed. */
export function codeKey(text: string | null): string {
  return (text ?? '').trim().replace(/\s+/g, ' ').toLowerCase();
}

function lookup(table: Readonly<Record<string, number>>, text: string | null): number {
  const key = codeKey(text);
  return Object.hasOwn(table, key) ? (table[key] ?? MISSING) : MISSING;
}

function band(value: number, bands: readonly { readonly upTo: number | null; readonly code: number }[]): number {
  return bands.find((b) => b.upTo === null || value <= b.upTo)?.code ?? MISSING;
}

export const servicesCode = (levelOfCare: string | null): number =>
  levelOfCare === null ? SERVICES_D_DEFAULT : lookup(SERVICES_D, levelOfCare);
export const reasonCode = (reason: string | null): number => lookup(REASON, reason);
export const sub1Code = (substance: string | null): number => lookup(SUB1, substance);
export const genderCode = (sex: string | null): number => lookup(GENDER, sex);
export const raceCode = (race: string | null): number => lookup(RACE, race);
export const ethnicCode = (ethnicity: string | null): number => lookup(ETHNIC, ethnicity);

/** Length of stay in days: discharge − admission, a same-day stay counting as 1. */
export function stayDays(dischargeMinusAdmission: number): number {
  return Math.max(dischargeMinusAdmission, 1);
}

/** LOS from discharge − admission in days (docs/funder-reporting.md). */
export function losCode(dischargeMinusAdmission: number | null): number {
  if (dischargeMinusAdmission === null || dischargeMinusAdmission < 0) return MISSING;
  const days = stayDays(dischargeMinusAdmission);
  return days <= LOS_EXACT_DAYS ? days : band(days, LOS_BANDS);
}

export function ageCode(age: number | null): number {
  if (age === null || age < AGE_MIN) return MISSING;
  return band(age, AGE_BANDS);
}

/** FREQ1_D from the days used in the past 30 of the last self-report in the window; none → −9. */
export function freqCode(daysUsed: number | null): number {
  if (daysUsed === null || daysUsed < 0 || daysUsed > DAILY_USE_DAYS) return MISSING;
  if (daysUsed === 0) return FREQ1_D.noUse;
  return daysUsed >= DAILY_USE_DAYS ? FREQ1_D.dailyUse : FREQ1_D.someUse;
}

/** DISYR: the calendar year of the discharge date. */
export function disyr(dischargedOn: string): number {
  return Number(dischargedOn.slice(0, 4));
}
