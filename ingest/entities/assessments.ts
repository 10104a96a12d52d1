import { z } from 'zod';
import { code, date, decimal, optional, required } from '../fields';
import { checkEpisodeOfPatient, checkPatient, listKnown } from '../references';
import { checkScores } from '../scores';
import { defineEntity } from './spec';

export const assessments = defineEntity({
  name: 'assessments',
  table: 'assessments',
  columns: ['patient_id', 'instrument', 'administered_on', 'total_score', 'episode_id'],
  required: ['patient_id', 'instrument', 'administered_on'],
  key: ['patient_id', 'instrument', 'administered_on'],
  // The file's episode_id is kept as source_episode_id; episode_id is the link (ingest/link.ts).
  staging: ['patient_id', 'instrument', 'administered_on', 'total_score', 'source_episode_id', 'items'],
  keepWhenAbsent: [],
  itemColumns: true,
  references: ['instruments', 'patients', 'episodes'],
  link: { date: 'administered_on' },
  schema: (fc) =>
    z.object({
      patient_id: required(code('patient id'), 'a patient id'),
      instrument: required(code('instrument code'), 'an instrument code'),
      administered_on: required(date(fc), 'the administration date'),
      total_score: optional(decimal()),
      episode_id: optional(code('episode id')),
    }),
  stage: (row, items, refs, errors) => {
    const patientId = row.patient_id as string;
    const instrument = row.instrument as string;
    const inst = refs.instruments.get(instrument.toLowerCase());
    checkPatient(refs, patientId, errors);
    checkEpisodeOfPatient(refs, row.episode_id as string | null, patientId, errors);
    if (!inst) {
      errors.push({ column: 'instrument', value: instrument, message: `unknown instrument; known instruments: ${listKnown([...refs.instruments.values()].map((i) => i.code))}` });
      return null;
    }
    // An instrument without item definitions: items are summed but not range-checked (ingest/scores.ts).
    const scored = checkScores(inst, row.total_score as number | null, items, errors);
    return [patientId, inst.code, row.administered_on, scored.total, row.episode_id, scored.items];
  },
});
