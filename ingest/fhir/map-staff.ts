import { arr, codings, idOf, label, obj, refId, str, type Resource } from './resource';
import { reject, type Mapped } from './mapped';

/**
 * Location → sites and Practitioner → clinicians (docs/formats.md "FHIR"). The id is the
 * code an episode's `Encounter.location` or a `participant`/`careManager` reference names,
 * so both sides meet in the warehouse without a lookup table.
 */
export function mapLocation(r: Resource): Mapped {
  const id = idOf(r);
  if (!id) return reject('Location has no id');
  const org = obj(r.managingOrganization);
  const organization = str(org?.display) ?? refId(org, 'Organization');
  return { kind: 'row', entity: 'sites', cells: [id, str(r.name) ?? str(arr(r.alias)[0]) ?? id, organization, str(obj(r.address)?.state), label(r)] };
}

export function mapPractitioner(r: Resource): Mapped {
  const id = idOf(r);
  if (!id) return reject('Practitioner has no id');
  const active = typeof r.active === 'boolean' ? String(r.active) : null;
  return { kind: 'row', entity: 'clinicians', cells: [id, humanName(r.name) ?? id, discipline(r), null, active, label(r)] };
}

/** HumanName: its text, else given names and family name (the first name given). */
function humanName(names: unknown): string | undefined {
  const n = obj(arr(names)[0]);
  if (!n) return undefined;
  const text = str(n.text);
  if (text) return text;
  const parts = [...arr(n.given).map(str), str(n.family)].filter((p): p is string => p !== undefined);
  return parts.length ? parts.join(' ') : undefined;
}

/** The first qualification: its text, else its first coding's display or code. */
function discipline(r: Resource): string | undefined {
  const q = obj(obj(arr(r.qualification)[0])?.code);
  if (!q) return undefined;
  const first = arr(q.coding).map(obj)[0];
  return str(q.text) ?? str(first?.display) ?? codings(q)[0]?.code;
}

/** Participant types that name the clinician responsible (v3 ParticipationType): primary performer, attender. */
const PRIMARY = ['PPRF', 'ATND'];

/**
 * The clinician of an Encounter (`participant.individual`) or Appointment
 * (`participant.actor`): a Practitioner of a primary type first, else the first Practitioner.
 */
export function practitionerOf(participants: unknown, element: 'individual' | 'actor'): string | undefined {
  const all = arr(participants).map(obj).flatMap((p) => {
    const id = refId(p?.[element], 'Practitioner');
    return id ? [{ id, types: codings(p?.type).map((c) => c.code) }] : [];
  });
  return (all.find((p) => p.types.some((t) => PRIMARY.includes(t))) ?? all[0])?.id;
}

/** The site of an Encounter: its first Location. */
export function locationOf(r: Resource): string | undefined {
  for (const l of arr(r.location)) {
    const id = refId(obj(l)?.location, 'Location');
    if (id) return id;
  }
  return undefined;
}
