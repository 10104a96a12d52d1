import { z } from 'zod';
import { code, date, integer, oneOf, optional, required } from '../fields';
import { checkOptionalRef } from '../references';
import { defineEntity } from './spec';

/** A session row carries its episode's patient (for distribution by patient), taken from the episode. */
const staging = ['session_id', 'episode_id', 'patient_id', 'session_date', 'status', 'session_type', 'minutes', 'clinician_id'] as const;

export const attendance = defineEntity({
  name: 'attendance',
  table: 'attendance',
  columns: ['session_id', 'episode_id', 'session_date', 'status', 'session_type', 'minutes', 'clinician_id'],
  required: ['session_id', 'episode_id', 'session_date', 'status'],
  key: ['session_id'],
  staging,
  keepWhenAbsent: ['clinician_id'],
  itemColumns: false,
  references: ['episodes', 'clinicians'],
  link: null,
  schema: (fc) =>
    z.object({
      session_id: required(code('session id'), 'a session id'),
      episode_id: required(code('episode id'), 'an episode id'),
      session_date: required(date(fc), 'the session date'),
      status: required(oneOf(['attended', 'no_show', 'cancelled', 'excused'] as const), 'a status'),
      session_type: optional(oneOf(['group', 'individual', 'family', 'medication', 'assessment', 'other'] as const)),
      minutes: optional(integer(0, 1440)),
      // The session's facilitator (docs/formats.md).
      clinician_id: optional(code('clinician id')),
    }),
  stage: (row, _items, refs, errors) => {
    const episodeId = row.episode_id as string;
    checkOptionalRef(refs, 'clinicians', 'clinician_id', row.clinician_id, errors);
    const owner = refs.episodes.get(episodeId);
    if (owner === undefined) {
      errors.push({ column: 'episode_id', value: episodeId, message: 'unknown episode_id: ingest the episode in episodes first' });
      return null;
    }
    return staging.map((c) => (c === 'patient_id' ? owner : row[c]));
  },
});
