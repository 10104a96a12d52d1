import { beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../../ingest/fhir/resource';
import { useTestDatabase } from '../harness/database';
import { csv, ingestText as ingestCsvText } from '../ingest/helpers';
import { bundle, ingestText, patient } from './helpers';

// GPRA/NOMs interviews as FHIR QuestionnaireResponses (docs/funder-reporting.md "Loading
// interviews"), on hand-built bundles: responses to the configured Questionnaire become
// followups rows through the item map (linkId → column), with the CSV row rules; other
// QuestionnaireResponses are scored as instruments as before.
const t = useTestDatabase();
const DEFAULT_Q = 'http://iop-outcomes.example/fhir/Questionnaire/gpra-interview';
const CUSTOM_Q = 'https://example.org/fhir/Questionnaire/gpra-v3';

beforeAll(async () => {
  await ingestCsvText(t.wh, 'tracks', csv('track_code,name', 'T1,Day IOP'));
});

type Answer = Record<string, unknown>;
const response = (id: string, subject: string, authored: string, questionnaire: string, items: [string, Answer][], status = 'completed'): Resource => ({
  resourceType: 'QuestionnaireResponse', id, status, questionnaire, subject: { reference: `Patient/${subject}` }, authored,
  item: items.map(([linkId, answer]) => ({ linkId, answer: [answer] })),
});

async function rows() {
  return t.wh.db.selectFrom('followups')
    .select(['patient_id', 'interview_type', 'interviewed_on', 'status', 'days_used_past_30', 'employed_or_in_school', 'stable_housing', 'arrested_past_30', 'socially_connected'])
    .orderBy('patient_id').orderBy('interviewed_on').execute();
}

describe('interviews from FHIR QuestionnaireResponses', () => {
  it('maps the default Questionnaire (linkId = column), with codes, booleans and integers', async () => {
    const s = await ingestText(t.wh, JSON.stringify(bundle([
      patient('q1'),
      response('qr-1', 'q1', '2024-03-01T10:00:00Z', DEFAULT_Q, [
        ['interview_type', { valueCoding: { code: 'intake' } }],
        ['days_used_past_30', { valueInteger: 12 }],
        ['employed_or_in_school', { valueBoolean: false }],
        ['stable_housing', { valueBoolean: true }],
        ['arrested_past_30', { valueString: 'no' }],
        ['socially_connected', { valueCoding: { code: 'Y' } }],
      ]),
      // A refusal: a status item and no answers.
      response('qr-2', 'q1', '2024-09-02', `${DEFAULT_Q}|1.0`, [['interview_type', { valueCoding: { code: 'followup_6m' } }], ['status', { valueCoding: { code: 'refused' } }]]),
    ])));
    expect(s.rows).toMatchObject({ patients: 1, followups: 2 });
    expect(s.quarantined).toBe(0);
    expect(await rows()).toEqual([
      { patient_id: 'q1', interview_type: 'intake', interviewed_on: '2024-03-01', status: 'completed', days_used_past_30: 12, employed_or_in_school: false, stable_housing: true, arrested_past_30: false, socially_connected: true },
      { patient_id: 'q1', interview_type: 'followup_6m', interviewed_on: '2024-09-02', status: 'refused', days_used_past_30: null, employed_or_in_school: null, stable_housing: null, arrested_past_30: null, socially_connected: null },
    ]);
  });

  it('uses a configured item map for another Questionnaire, and nested items', async () => {
    const followupMap = { questionnaires: [CUSTOM_Q], items: { type: 'interview_type', q12: 'days_used_past_30', q20: 'stable_housing' } as const };
    const r = response('qr-3', 'q2', '2024-04-01', CUSTOM_Q, [['type', { valueString: 'followup_6m' }]]);
    r.item = [...(r.item as unknown[]), { linkId: 'section-b', item: [{ linkId: 'q12', answer: [{ valueDecimal: 0 }] }, { linkId: 'q20', answer: [{ valueBoolean: true }] }] }];
    const s = await ingestText(t.wh, JSON.stringify(bundle([patient('q2'), r])), { followupMap });
    expect(s.quarantined).toBe(0);
    expect((await rows()).find((x) => x.patient_id === 'q2')).toMatchObject({ interview_type: 'followup_6m', days_used_past_30: 0, stable_housing: true, employed_or_in_school: null });
  });

  it('quarantines a response without an interview type, and rejects a bad answer with the CSV rule', async () => {
    const s = await ingestText(t.wh, JSON.stringify(bundle([
      patient('q3'),
      response('qr-4', 'q3', '2024-03-01', DEFAULT_Q, [['days_used_past_30', { valueInteger: 3 }]]),
      response('qr-5', 'q3', '2024-03-02', DEFAULT_Q, [['interview_type', { valueCoding: { code: 'intake' } }], ['days_used_past_30', { valueInteger: 31 }]]),
    ])));
    expect(s.quarantine).toEqual([expect.objectContaining({ resource_type: 'QuestionnaireResponse', resource_id: 'qr-4', reason: expect.stringMatching(/^no answer gives the interview type/) })]);
    const batch = s.batches.find((b) => b.entity === 'followups');
    expect(batch?.rejected).toBe(1);
    expect(batch?.errors[0]).toMatchObject({ column: 'days_used_past_30', value: '31', message: 'must be a whole number from 0 to 30' });
  });
});
