import { isEpisodeEncounter, mapEpisodeEncounter, mapEpisodeOfCare } from './map-episode';
import { mapAppointment, mapSessionEncounter } from './map-attendance';
import { mapObservation } from './map-observation';
import { mapPatient } from './map-patient';
import { mapLocation, mapPractitioner } from './map-staff';
import { ignore, reject, type Mapped, type MapOptions } from './mapped';
import type { Resource } from './resource';

/** Resources that carry nothing the warehouse stores; counted as ignored, not quarantined. */
const CONTEXT_ONLY = new Set(['Specimen', 'PractitionerRole', 'Organization', 'OperationOutcome']);

/** Dispatches a resource to its mapper (QuestionnaireResponse, Questionnaire, Condition and ServiceRequest are handled by the load). */
export function mapResource(r: Resource, o: MapOptions): Mapped {
  switch (r.resourceType) {
    case 'Patient':
      return mapPatient(r);
    case 'EpisodeOfCare':
      return mapEpisodeOfCare(r, o);
    case 'Encounter':
      return isEpisodeEncounter(r, o) ? mapEpisodeEncounter(r, o) : mapSessionEncounter(r);
    case 'Appointment':
      return mapAppointment(r);
    case 'Observation':
      return mapObservation(r, o);
    case 'Location':
      return mapLocation(r);
    case 'Practitioner':
      return mapPractitioner(r);
    default:
      if (CONTEXT_ONLY.has(r.resourceType)) return ignore('context only');
      return reject(`resource type ${r.resourceType} is not mapped to any entity`);
  }
}
