import { arr, dateOf, idOf, label, num, obj, str, type Resource } from './resource';
import { episodeRef } from './map-episode';
import { reject, type Mapped } from './mapped';
import { practitionerOf } from './map-staff';

/** Appointment.status → attendance status; other statuses are not (yet) attendance. */
const APPOINTMENT_STATUS: Readonly<Record<string, string>> = { fulfilled: 'attended', noshow: 'no_show', cancelled: 'cancelled' };
/** Encounter.status of a session (R4 has no no-show status for Encounter). */
const ENCOUNTER_STATUS: Readonly<Record<string, string>> = { finished: 'attended', cancelled: 'cancelled' };

/** Appointment → attendance; the episode comes from `supportingInformation` (EpisodeOfCare or episode Encounter). */
export function mapAppointment(r: Resource): Mapped {
  const id = idOf(r);
  if (!id) return reject('Appointment has no id');
  const status = APPOINTMENT_STATUS[str(r.status) ?? ''];
  if (!status) return reject(`Appointment status ${str(r.status) ?? '(none)'} is not fulfilled, noshow or cancelled`);
  const episode = episodeRef(arr(r.supportingInformation));
  if (!episode) return reject('no EpisodeOfCare (or episode Encounter) in supportingInformation');
  const date = dateOf(r.start);
  if (!date) return reject('no start date');
  return { kind: 'row', entity: 'attendance', cells: [id, episode, date, status, null, minutes(r), practitionerOf(r.participant, 'actor'), label(r)] };
}

/** A session Encounter (part of an episode) → attendance. */
export function mapSessionEncounter(r: Resource): Mapped {
  const id = idOf(r);
  if (!id) return reject('Encounter has no id');
  const episode = episodeRef([...arr(r.episodeOfCare), r.partOf]);
  if (!episode) return reject('Encounter is neither an episode (no type or serviceType code in episode_codes) nor a session (no episodeOfCare or partOf)');
  const status = ENCOUNTER_STATUS[str(r.status) ?? ''];
  if (!status) return reject(`Encounter status ${str(r.status) ?? '(none)'} is not finished or cancelled`);
  const date = dateOf(obj(r.period)?.start);
  if (!date) return reject('no period.start (session date)');
  const length = obj(r.length);
  const mins = str(length?.code) === 'min' ? num(length?.value) : undefined;
  return { kind: 'row', entity: 'attendance', cells: [id, episode, date, status, null, mins, practitionerOf(r.participant, 'individual'), label(r)] };
}

function minutes(r: Resource): number | undefined {
  const d = num(r.minutesDuration);
  if (d !== undefined) return Math.round(d);
  const start = str(r.start);
  const end = str(r.end);
  if (!start || !end) return undefined;
  const m = (Date.parse(end) - Date.parse(start)) / 60_000;
  return Number.isFinite(m) && m >= 0 && m <= 1440 ? Math.round(m) : undefined;
}

