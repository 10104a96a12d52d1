import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database';
import { ingestText as ingestCsvText, csv } from '../ingest/helpers';
import { ingestText, ndjson, patient, reference } from './helpers';
import type { Resource } from '../../ingest/fhir/resource';

// Mapping of the other resources: the CDC Opioid CDS urine drug screen example
// (observation-example-opioidcds.json: LOINC 3779-6, interpretation POS, no value) maps
// through the CDC UDS value sets (DERIVED_uds_loinc_by_valueset.csv: amphetamine →
// stimulants); unmappable resources are quarantined with their type, id and reason.
const t = useTestDatabase();

beforeAll(async () => {
  await ingestCsvText(t.wh, 'tracks', csv('track_code,name', 'IOP-EVE,Evening IOP'));
});

const EPISODE_CODES = { 'iop-evening': 'IOP-EVE' };

function uds(id: string, subject: string, date: string, loinc: string, value: Record<string, unknown>): Resource {
  return { resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'http://loinc.org', code: loinc }] }, subject: { reference: `Patient/${subject}` }, effectiveDateTime: date, ...value };
}

describe('FHIR urine drug screens → abstinence', () => {
  it('maps the CDC opioid-CDS Observation (interpretation POS only) to a positive stimulants test', async () => {
    const s = await ingestText(t.wh, ndjson([patient('example-opioidcds'), reference('observation-example-opioidcds'), reference('specimen-example-urine')]));
    expect(s.quarantined).toBe(0);
    const rows = await t.wh.db.selectFrom('abstinence_tests').select(['patient_id', 'collected_on', 'method', 'substance', 'result']).where('patient_id', '=', 'example-opioidcds').execute();
    expect(rows).toEqual([{ patient_id: 'example-opioidcds', collected_on: '2023-05-01', method: 'uds', substance: 'stimulants', result: 'positive' }]);
  });

  it('reads valueString POS/NEG, and keeps two Observations with one id on different dates as two results', async () => {
    const s = await ingestText(t.wh, ndjson([
      patient('u1'),
      uds('fent-1', 'u1', '2024-03-01', '11235-9', { valueString: 'NEG' }),
      uds('fent-1', 'u1', '2024-03-08', '11235-9', { valueString: 'POS' }),
      uds('thc-1', 'u1', '2024-03-01', '18282-4', { valueCodeableConcept: { coding: [{ code: 'NEG' }] }, interpretation: [{ coding: [{ code: 'POS' }] }] }),
    ]));
    expect(s.quarantined).toBe(0);
    const rows = await t.wh.db.selectFrom('abstinence_tests').select(['collected_on', 'substance', 'result']).where('patient_id', '=', 'u1').orderBy('collected_on').orderBy('substance').execute();
    expect(rows).toEqual([
      { collected_on: '2024-03-01', substance: 'cannabis', result: 'negative' },
      { collected_on: '2024-03-01', substance: 'opioids', result: 'negative' },
      { collected_on: '2024-03-08', substance: 'opioids', result: 'positive' },
    ]);
  });
});

describe('FHIR quarantine', () => {
  it('quarantines unmappable resources with their type, id and reason, and loads the rest', async () => {
    const s = await ingestText(t.wh, ndjson([
      patient('q1'),
      reference('encounter-1036'),
      uds('no-result', 'q1', '2024-03-01', '3779-6', {}),
      { resourceType: 'Observation', id: 'bp', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] }, subject: { reference: 'Patient/q1' }, effectiveDateTime: '2024-03-01' },
      { resourceType: 'MedicationRequest', id: 'mr1' },
    ]) + 'not json\n', { sourceName: 'quarantine-test' });
    expect(s.quarantine).toEqual([
      { resource_type: 'Encounter', resource_id: '1036', reason: expect.stringMatching(/neither an episode .* nor a session/) },
      { resource_type: 'Observation', resource_id: 'no-result', reason: 'urine drug screen has no POS/NEG result in value or interpretation' },
      { resource_type: 'Observation', resource_id: 'bp', reason: 'LOINC 85354-9 is neither an instrument total or item nor a urine drug screen' },
      { resource_type: 'MedicationRequest', resource_id: 'mr1', reason: 'resource type MedicationRequest is not mapped to any entity' },
      { resource_type: 'unknown', resource_id: null, reason: 'NDJSON line 6 is not valid JSON' },
    ]);
    const stored = await t.wh.db.selectFrom('fhir_rejects').select(['resource_type', 'resource_id', 'source_name']).where('load_id', '=', s.load_id).orderBy('reject_id').execute();
    expect(stored.map((r) => `${r.resource_type}/${r.resource_id ?? '-'}@${r.source_name}`)).toEqual([
      'Encounter/1036@quarantine-test', 'Observation/no-result@quarantine-test', 'Observation/bp@quarantine-test', 'MedicationRequest/mr1@quarantine-test', 'unknown/-@quarantine-test',
    ]);
    expect(s.batches.map((b) => b.entity)).toEqual(['patients']);
  });

  it('refuses an input that is not FHIR JSON as a whole-file failure', async () => {
    await expect(ingestText(t.wh, '{ "resourceType": \n oops')).rejects.toThrow(/neither a FHIR JSON document/);
  });
});

describe('FHIR episodes and attendance', () => {
  const episode = (id: string, extra: Record<string, unknown>): Resource => ({
    resourceType: 'Encounter', id, status: 'finished', class: { code: 'AMB' }, serviceType: { coding: [{ system: 'urn:local', code: 'iop-evening' }] },
    subject: { reference: 'Patient/e1' }, period: { start: '2024-01-08', end: '2024-02-20' }, ...extra,
  });

  it('maps an IOP Encounter to an episode with the discharge reason from the configured map, and its sessions to attendance', async () => {
    const s = await ingestText(t.wh, ndjson([
      patient('e1'),
      episode('enc-ep', { hospitalization: { dischargeDisposition: { coding: [{ code: 'home' }] } } }),
      { resourceType: 'EpisodeOfCare', id: 'eoc-1', status: 'active', type: [{ coding: [{ code: 'iop-evening' }] }], patient: { reference: 'Patient/e1' }, period: { start: '2024-03-01' } },
      { resourceType: 'Encounter', id: 'sess-1', status: 'finished', class: { code: 'AMB' }, partOf: { reference: 'Encounter/enc-ep' }, period: { start: '2024-01-09T18:00:00-05:00' }, length: { value: 90, code: 'min' } },
      { resourceType: 'Appointment', id: 'appt-1', status: 'noshow', start: '2024-03-04T18:00:00Z', end: '2024-03-04T19:30:00Z', supportingInformation: [{ reference: 'EpisodeOfCare/eoc-1' }] },
      { resourceType: 'Appointment', id: 'appt-2', status: 'booked', start: '2024-03-05T18:00:00Z', supportingInformation: [{ reference: 'EpisodeOfCare/eoc-1' }] },
      episode('enc-unmapped', { hospitalization: { dischargeDisposition: { coding: [{ code: 'alt-home' }] } } }),
    ]), { episodeCodes: EPISODE_CODES, dischargeMap: { home: 'completed' } });
    const episodes = await t.wh.db.selectFrom('episodes').select(['episode_id', 'track_code', 'admitted_on', 'discharged_on', 'discharge_reason']).where('patient_id', '=', 'e1').orderBy('episode_id').execute();
    expect(episodes).toEqual([
      { episode_id: 'enc-ep', track_code: 'IOP-EVE', admitted_on: '2024-01-08', discharged_on: '2024-02-20', discharge_reason: 'completed' },
      { episode_id: 'eoc-1', track_code: 'IOP-EVE', admitted_on: '2024-03-01', discharged_on: null, discharge_reason: null },
    ]);
    const sessions = await t.wh.db.selectFrom('attendance').select(['session_id', 'episode_id', 'session_date', 'status', 'minutes']).orderBy('session_id').execute();
    expect(sessions).toEqual([
      { session_id: 'appt-1', episode_id: 'eoc-1', session_date: '2024-03-04', status: 'no_show', minutes: 90 },
      { session_id: 'sess-1', episode_id: 'enc-ep', session_date: '2024-01-09', status: 'attended', minutes: 90 },
    ]);
    expect(s.quarantine.map((q) => `${q.resource_type}/${q.resource_id ?? ''}`)).toEqual(['Appointment/appt-2', 'Encounter/enc-unmapped']);
    expect(s.quarantine[1]?.reason).toMatch(/alt-home.*discharge_map/);
  });
});


describe('FHIR input formats', () => {
  it('reads a pretty-printed Bundle with a UTF-8 BOM as well as NDJSON', async () => {
    const s = await ingestText(t.wh, `\uFEFF${JSON.stringify({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: patient('bom-1') }] }, null, 2)}`);
    expect(s.batches).toMatchObject([{ entity: 'patients', inserted: 1 }]);
  });
});
