import { arr, dateOf, idOf, label, obj, str, type Resource } from './resource';
import { reject, type Mapped } from './mapped';

const SEXES = new Set(['female', 'male', 'other', 'unknown']);
const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition/';

/** Patient → patients: birth year, administrative gender, US Core race and ethnicity text. */
export function mapPatient(r: Resource): Mapped {
  const id = idOf(r);
  if (!id) return reject('Patient has no id');
  const gender = str(r.gender);
  return {
    kind: 'row',
    entity: 'patients',
    cells: [id, dateOf(r.birthDate)?.slice(0, 4) ?? str(r.birthDate)?.slice(0, 4), gender && SEXES.has(gender) ? gender : null,
      usCoreText(r, 'us-core-race'), usCoreText(r, 'us-core-ethnicity'), label(r)],
  };
}

/** The `text` sub-extension of a US Core race/ethnicity extension, else its first OMB category. */
function usCoreText(r: Resource, name: string): string | undefined {
  const ext = arr(r.extension).map(obj).find((e) => str(e?.url) === `${US_CORE}${name}`);
  if (!ext) return undefined;
  const parts = arr(ext.extension).map(obj);
  const text = parts.find((p) => str(p?.url) === 'text');
  if (text) return str(text.valueString);
  const omb = parts.find((p) => str(p?.url) === 'ombCategory');
  return str(obj(omb?.valueCoding)?.display);
}
