import { beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../ingest/fhir/resource';
import { useTestDatabase } from '../harness/database';
import { csv, ingestText as ingestCsvText } from '../ingest/helpers';
import { bundle, ingestText, patient } from './helpers';

// The round-2 FHIR mapping (docs/formats.md "FHIR"), on hand-built bundles: Location →
// sites, Practitioner → clinicians, Encounter.location → site_code, the primary
// participant or EpisodeOfCare.careManager → clinician_id, ICD-10-CM codes of the
// Conditions an episode lists (Encounter/EpisodeOfCare.diagnosis) or that name its
// Encounter → diagnoses, and the referral's authoredOn, else the first Appointment, →
// first_contact_on.
const t = useTestDatabase();
const ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm';
const SNOMED = 'http://snomed.info/sct';
const EPISODE_CODES = { 'iop-day': 'IOP-DAY' };

beforeAll(async () => {
  await ingestCsvText(t.wh, 'tracks', csv('track_code,name', 'IOP-DAY,Day IOP'));
});

const condition = (id: string, codes: [string, string][], extra: Record<string, unknown> = {}): Resource => ({
  resourceType: 'Condition', id, code: { coding: codes.map(([system, code]) => ({ system, code })) }, ...extra,
});
const encounterEpisode = (id: string, subject: string, start: string, extra: Record<string, unknown> = {}): Resource => ({
  resourceType: 'Encounter', id, status: 'in-progress', class: { code: 'AMB' }, type: [{ coding: [{ code: 'iop-day' }] }],
  subject: { reference: `Patient/${subject}` }, period: { start }, ...extra,
});
const episodeOfCare = (id: string, subject: string, start: string, extra: Record<string, unknown> = {}): Resource => ({
  resourceType: 'EpisodeOfCare', id, status: 'active', type: [{ coding: [{ code: 'iop-day' }] }],
  patient: { reference: `Patient/${subject}` }, period: { start }, ...extra,
});

describe('FHIR sites, clinicians, diagnoses and first contact', () => {
  let summary: Awaited<ReturnType<typeof ingestText>>;

  beforeAll(async () => {
    summary = await ingestText(t.wh, JSON.stringify(bundle([
      // Resources that refer to others come first: the load does not depend on order.
      encounterEpisode('enc-1', 'f1', '2024-03-10', {
        location: [{ location: { reference: 'Location/loc-north' } }],
        participant: [
          { individual: { reference: 'Practitioner/pr-2' } },
          { type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'ATND' }] }], individual: { reference: 'Practitioner/pr-1' } },
        ],
        diagnosis: [{ condition: { reference: 'Condition/c1' }, rank: 1 }],
      }),
      condition('c1', [[SNOMED, '35489007'], [ICD10, 'f32.1']]),
      condition('c2', [[ICD10, 'F10.20']], { encounter: { reference: 'Encounter/enc-1' } }),
      condition('c-dup', [[ICD10, 'F32.1']], { encounter: { reference: 'Encounter/enc-1' } }),
      episodeOfCare('eoc-1', 'f2', '2024-04-01', {
        careManager: { reference: 'Practitioner/pr-2' },
        referralRequest: [{ reference: 'ServiceRequest/sr-1' }],
        diagnosis: [{ condition: { reference: 'Condition/c4' } }],
      }),
      { resourceType: 'ServiceRequest', id: 'sr-1', status: 'completed', intent: 'order', subject: { reference: 'Patient/f2' }, authoredOn: '2024-03-20T09:30:00-07:00' },
      condition('c4', [[ICD10, 'Z63.72']]),
      episodeOfCare('eoc-2', 'f3', '2024-05-01'),
      { resourceType: 'Appointment', id: 'ap-1', status: 'fulfilled', created: '2024-04-15', start: '2024-04-22T10:00:00Z', end: '2024-04-22T11:00:00Z',
        supportingInformation: [{ reference: 'EpisodeOfCare/eoc-2' }], participant: [{ actor: { reference: 'Patient/f3' } }, { actor: { reference: 'Practitioner/pr-1' } }] },
      { resourceType: 'Appointment', id: 'ap-2', status: 'fulfilled', start: '2024-05-03T10:00:00Z', supportingInformation: [{ reference: 'EpisodeOfCare/eoc-2' }] },
      encounterEpisode('enc-bad', 'f4', '2024-03-10', { diagnosis: [{ condition: { reference: 'Condition/c5' } }] }),
      condition('c5', [[ICD10, 'F41.1'], [ICD10, 'F3']]),
      { resourceType: 'Location', id: 'loc-north', name: 'North clinic', managingOrganization: { reference: 'Organization/org-1', display: 'Cascade Health' }, address: { state: 'OR' } },
      { resourceType: 'Practitioner', id: 'pr-1', active: true, name: [{ given: ['Ada'], family: 'Lovelace' }], qualification: [{ code: { text: 'LCSW' } }] },
      { resourceType: 'Practitioner', id: 'pr-2', active: false, name: [{ text: 'Dr Alan Turing' }], qualification: [{ code: { coding: [{ code: 'MD', display: 'Doctor of Medicine' }] } }] },
      patient('f1'), patient('f2'), patient('f3'), patient('f4'),
    ])), { episodeCodes: EPISODE_CODES });
  });

  it('loads Locations as sites and Practitioners as clinicians, before the episodes that refer to them', async () => {
    expect(summary.batches.map((b) => b.entity)).toEqual(['sites', 'clinicians', 'patients', 'episodes', 'attendance']);
    expect(await t.wh.db.selectFrom('sites').select(['site_code', 'name', 'organization', 'state']).execute()).toEqual([
      { site_code: 'loc-north', name: 'North clinic', organization: 'Cascade Health', state: 'OR' },
    ]);
    expect(await t.wh.db.selectFrom('clinicians').select(['clinician_id', 'name', 'discipline', 'active']).orderBy('clinician_id').execute()).toEqual([
      { clinician_id: 'pr-1', name: 'Ada Lovelace', discipline: 'LCSW', active: true },
      { clinician_id: 'pr-2', name: 'Dr Alan Turing', discipline: 'Doctor of Medicine', active: false },
    ]);
  });

  it('takes the site from Encounter.location and the clinician from the attending participant', async () => {
    const e = await t.wh.db.selectFrom('episodes').select(['site_code', 'clinician_id']).where('episode_id', '=', 'enc-1').executeTakeFirstOrThrow();
    expect(e).toEqual({ site_code: 'loc-north', clinician_id: 'pr-1' });
  });

  it("collects the ICD-10-CM codes of the episode's Conditions, from its diagnosis list and from Condition.encounter, each once", async () => {
    const e = await t.wh.db.selectFrom('episodes').select('diagnoses').where('episode_id', '=', 'enc-1').executeTakeFirstOrThrow();
    expect(e.diagnoses).toEqual(['F32.1', 'F10.20']);
  });

  it("takes an EpisodeOfCare's clinician from careManager, its first contact from the referral's authoredOn and its diagnoses from its list", async () => {
    const e = await t.wh.db.selectFrom('episodes').select(['clinician_id', 'first_contact_on', 'diagnoses', 'site_code']).where('episode_id', '=', 'eoc-1').executeTakeFirstOrThrow();
    expect(e).toEqual({ clinician_id: 'pr-2', first_contact_on: '2024-03-20', diagnoses: ['Z63.72'], site_code: null });
  });

  it('takes the first contact from the earliest Appointment (when it was made) on or before admission', async () => {
    const e = await t.wh.db.selectFrom('episodes').select(['first_contact_on', 'diagnoses']).where('episode_id', '=', 'eoc-2').executeTakeFirstOrThrow();
    expect(e).toEqual({ first_contact_on: '2024-04-15', diagnoses: null });
  });

  it("gives a session the Practitioner among an Appointment's participants", async () => {
    const s = await t.wh.db.selectFrom('attendance').select(['session_id', 'clinician_id']).orderBy('session_id').execute();
    expect(s).toEqual([{ session_id: 'ap-1', clinician_id: 'pr-1' }, { session_id: 'ap-2', clinician_id: null }]);
  });

  it('rejects an episode whose Condition has a code that is not ICD-10-CM, naming its position', async () => {
    const batch = summary.batches.find((b) => b.entity === 'episodes');
    expect(batch?.errors).toEqual([{
      line: expect.any(Number), column: 'diagnoses', value: 'F41.1;F3',
      message: "code 2 of 2 'F3' is not an ICD-10-CM code (letter, digit, alphanumeric, optional '.' and up to 4 alphanumerics)",
    }]);
    expect(await t.wh.db.selectFrom('episodes').select('episode_id').where('episode_id', '=', 'enc-bad').execute()).toEqual([]);
  });

  it('counts Conditions and ServiceRequests as used, not as quarantined', () => {
    expect(summary.quarantined).toBe(0);
    expect(summary.ignored).toMatchObject({ 'Condition (diagnoses of its episode)': 5, 'ServiceRequest (first contact of its episode)': 1 });
  });

  it('keeps a stored site and diagnoses when a later load says nothing about them', async () => {
    const s = await ingestText(t.wh, JSON.stringify(bundle([patient('f1'), encounterEpisode('enc-1', 'f1', '2024-03-10')])), { episodeCodes: EPISODE_CODES });
    expect(s.batches.find((b) => b.entity === 'episodes')).toMatchObject({ unchanged: 1, updated: 0 });
    const e = await t.wh.db.selectFrom('episodes').select(['site_code', 'clinician_id', 'diagnoses']).where('episode_id', '=', 'enc-1').executeTakeFirstOrThrow();
    expect(e).toEqual({ site_code: 'loc-north', clinician_id: 'pr-1', diagnoses: ['F32.1', 'F10.20'] });
  });
});
