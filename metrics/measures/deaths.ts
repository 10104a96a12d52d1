import { sql, type RawBuilder } from 'kysely';
import { DECEASED_STATUS } from '../../warehouse/followup-rules';
import { DEATH_DISCHARGE_REASON } from '../../warehouse/measure-rules';

/**
 * `measure_deaths(patient_id, died_on)`: the earliest recorded death of each patient known
 * by as_of, the one death rule of the outcome measures (docs/measures.md "Exclusions"):
 * an episode of the patient (any track, in the request's scope or not) discharged with
 * reason `died`, or a follow-up interview of the patient with status `deceased` (dated on
 * or before as_of; docs/funder-reporting.md "Six-month follow-up"). Every source of a death
 * is one branch of the union below.
 */
export function deathsCte(asOf: string): RawBuilder<unknown> {
  return sql`measure_deaths as (
    select patient_id, min(died_on) as died_on from (
      select e.patient_id, e.discharged_on as died_on
      from episodes e
      where e.discharge_reason = ${DEATH_DISCHARGE_REASON} and e.discharged_on is not null and e.discharged_on <= ${asOf}::date
      union all
      select f.patient_id, f.interviewed_on as died_on
      from followups f
      where f.status = ${DECEASED_STATUS} and f.interviewed_on <= ${asOf}::date
    ) d
    group by patient_id
  )`;
}
