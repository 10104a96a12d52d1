import { codings, dateOf, idOf, label, obj, refId, str, type Resource } from './resource';
import { reject, type Mapped, type MapOptions } from './mapped';
import { locationOf, practitionerOf } from './map-staff';
import { DEFAULT_DISCHARGE_MAP, type DischargeReason } from './terminology';

/** Classes of an IOP episode Encounter: ambulatory (v3 ActCode AMB) or a local IOP code. */
const EPISODE_CLASSES = new Set(['AMB', 'IOP']);

/** EpisodeOfCare → episodes; the track comes from a `type` code listed in `episode_codes`. */
export function mapEpisodeOfCare(r: Resource, o: MapOptions): Mapped {
  const id = idOf(r);
  if (!id) return reject('EpisodeOfCare has no id');
  const track = trackOf(codings(r.type), o);
  if (!track) return reject(`no type code is listed in episode_codes (${codeList(codings(r.type))})`);
  // R4 EpisodeOfCare has no disposition: its status is the key into discharge_map.
  // R4 EpisodeOfCare has no location; its care manager is the primary clinician.
  const staff = { site: undefined, clinician: refId(r.careManager, 'Practitioner') };
  return episodeRow(r, id, refId(r.patient, 'Patient'), track, [str(r.status)], staff, o);
}

/** Whether an Encounter is an IOP episode (rather than a session): its class and a configured code. */
export function isEpisodeEncounter(r: Resource, o: MapOptions): boolean {
  return trackOf(encounterCodes(r), o) !== undefined;
}

export function mapEpisodeEncounter(r: Resource, o: MapOptions): Mapped {
  const id = idOf(r);
  if (!id) return reject('Encounter has no id');
  const cls = str(obj(r.class)?.code);
  if (!cls || !EPISODE_CLASSES.has(cls)) return reject(`Encounter class ${cls ?? '(none)'} is not an IOP episode class (AMB or IOP)`);
  const track = trackOf(encounterCodes(r), o);
  if (!track) return reject('no type or serviceType code is listed in episode_codes');
  const disposition = codings(obj(r.hospitalization)?.dischargeDisposition).map((c) => c.code);
  const staff = { site: locationOf(r), clinician: practitionerOf(r.participant, 'individual') };
  return episodeRow(r, id, refId(r.subject, 'Patient'), track, [...disposition, str(r.status)], staff, o);
}

interface Staff {
  site: string | undefined;
  clinician: string | undefined;
}

/** The cells of FHIR_COLUMNS.episodes. */
function episodeRow(r: Resource, id: string, patient: string | undefined, track: string, dischargeKeys: (string | undefined)[], staff: Staff, o: MapOptions): Mapped {
  if (!patient) return reject('no Patient reference');
  const period = obj(r.period);
  const admitted = dateOf(period?.start);
  if (!admitted) return reject('no period.start (admission date)');
  const discharged = dateOf(period?.end);
  if (!discharged) return { kind: 'row', entity: 'episodes', cells: [id, patient, track, admitted, null, null, staff.site, staff.clinician, label(r)] };
  const reason = dischargeReason(dischargeKeys, o);
  if (!reason) {
    const keys = dischargeKeys.filter((k) => k !== undefined).join(', ') || '(none)';
    return reject(`discharged on ${discharged} but no discharge disposition maps to a discharge_reason (codes: ${keys}); add it to discharge_map`);
  }
  return { kind: 'row', entity: 'episodes', cells: [id, patient, track, admitted, discharged, reason, staff.site, staff.clinician, label(r)] };
}

/** The first key the program's map, then the default map, knows; the program's map wins. */
export function dischargeReason(keys: (string | undefined)[], o: MapOptions): DischargeReason | undefined {
  for (const map of [o.dischargeMap, DEFAULT_DISCHARGE_MAP]) {
    for (const k of keys) if (k !== undefined && map[k]) return map[k];
  }
  return undefined;
}

function encounterCodes(r: Resource) {
  return [...codings(r.type), ...codings(r.serviceType)];
}

/** `episode_codes` keys are a bare code or `system|code`. */
function trackOf(cs: ReturnType<typeof codings>, o: MapOptions): string | undefined {
  for (const c of cs) {
    const t = (c.system ? o.episodeCodes[`${c.system}|${c.code}`] : undefined) ?? o.episodeCodes[c.code];
    if (t) return t;
  }
  return undefined;
}

function codeList(cs: ReturnType<typeof codings>): string {
  return cs.map((c) => c.code).join(', ') || 'none';
}

/** The episode a session belongs to: EpisodeOfCare, or the episode Encounter it is part of. */
export function episodeRef(refs: unknown[]): string | undefined {
  for (const ref of refs) {
    const id = refId(ref, 'EpisodeOfCare') ?? refId(ref, 'Encounter');
    if (id) return id;
  }
  return undefined;
}

