import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database';
import { about, bundle, ingestText, patient, PHQ9_ITEMS, reference } from './helpers';

// HL7 US Core 9.0.0 PHQ-9 examples (tests/reference/published/fhir, README "FHIR R4 examples"):
// the total Observation 44261-6 carries valueString "12"; the items score through the
// Questionnaire's ordinalValue extensions (LA6568-5 = 0 … LA6571-9 = 3) to 12; the
// QuestionnaireResponse carries the total as valueDecimal 12. Each path is loaded alone.
const t = useTestDatabase();

async function phq9(patientId: string) {
  return t.wh.db.selectFrom('assessments').selectAll().where('patient_id', '=', patientId).where('instrument', '=', 'PHQ-9').execute();
}

describe('FHIR ingest of the US Core PHQ-9 examples', () => {
  it('reads the PHQ-9 total of 12 from the total Observation (valueString "12")', async () => {
    const s = await ingestText(t.wh, JSON.stringify(bundle([patient('p-total'), about(reference('Observation-PHQ9-item-example-44261-6'), 'p-total')], 'searchset'), null, 2));
    expect(s.batches.map((b) => [b.entity, b.status, b.inserted, b.rejected])).toEqual([['patients', 'committed', 1, 0], ['assessments', 'committed', 1, 0]]);
    expect(s.quarantined).toBe(0);
    const rows = await phq9('p-total');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ administered_on: '2022-11-29', total_score: 12 });
  });

  it('scores the item Observations through the Questionnaire ordinal values to 12 when no total is present', async () => {
    const items = PHQ9_ITEMS.map((n) => about(reference(n), 'p-items'));
    const s = await ingestText(t.wh, JSON.stringify(bundle([patient('p-items'), reference('Questionnaire-phq-9-example'), ...items, about(reference('Observation-PHQ9-panel-example-44249-1'), 'p-items')])));
    expect(s.quarantined).toBe(0);
    expect(s.ignored).toMatchObject({ 'Observation: panel: its member Observations are mapped': 1, 'Observation: item not part of the instrument score': 1 });
    const rows = await phq9('p-items');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.total_score).toBe(12);
    // In PHQ-9 order (44250-9, 44255-8, 44259-0, 44254-1, 44251-7, 44258-2, 44252-5, 44253-3, 44260-8).
    expect(rows[0]?.items).toEqual([2, 2, 2, 2, 1, 1, 2, 0, 0]);
  });

  it('reads the total of 12 from the QuestionnaireResponse (valueDecimal)', async () => {
    const s = await ingestText(t.wh, JSON.stringify(bundle([patient('p-qr'), reference('Questionnaire-phq-9-example'), about(reference('QuestionnaireResponse-phq-9-example'), 'p-qr')])));
    expect(s.quarantined).toBe(0);
    expect((await phq9('p-qr'))[0]?.total_score).toBe(12);
  });

  it('scores the QuestionnaireResponse answers through the Questionnaire to 12 when its total answer is absent', async () => {
    const qr = about(reference('QuestionnaireResponse-phq-9-example'), 'p-qr-items');
    qr.item = (qr.item as { linkId: string }[]).filter((i) => i.linkId !== '/44261-6');
    const s = await ingestText(t.wh, JSON.stringify(bundle([patient('p-qr-items'), qr, reference('Questionnaire-phq-9-example')])));
    expect(s.quarantined).toBe(0);
    expect((await phq9('p-qr-items'))[0]?.total_score).toBe(12);
  });

  it('reports an identical re-ingest as duplicate and changes nothing', async () => {
    const text = JSON.stringify(bundle([patient('p-dup'), about(reference('Observation-PHQ9-item-example-44261-6'), 'p-dup')]));
    await ingestText(t.wh, text);
    const again = await ingestText(t.wh, text);
    expect(again.status).toBe('duplicate');
    expect(await phq9('p-dup')).toHaveLength(1);
  });
});
