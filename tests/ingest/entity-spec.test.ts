import { describe, expect, it } from 'vitest';
import { ENTITIES, ENTITY_NAMES, LINKED_ENTITIES, type EntityName, type EntitySpec } from '../../ingest/entities';
import { abstinence } from '../../ingest/entities/abstinence';
import { assessments } from '../../ingest/entities/assessments';
import { attendance } from '../../ingest/entities/attendance';
import { episodes } from '../../ingest/entities/episodes';
import { instruments } from '../../ingest/entities/instruments';
import { patients } from '../../ingest/entities/patients';
import { defineEntity } from '../../ingest/entities/spec';
import { FHIR_COLUMNS, FHIR_ENTITIES, SOURCE_COLUMN } from '../../ingest/fhir/mapped';
import { tracks } from '../../ingest/entities/tracks';

// One declaration per CSV entity (ingest/entities/<entity>.ts): the reader, the row
// checks, the merge, the linking, the quality report and the docs all read it.
describe('the entity registry', () => {
  it('holds one spec per entity name, under its own name', () => {
    expect(Object.keys(ENTITIES)).toEqual([...ENTITY_NAMES]);
    for (const name of ENTITY_NAMES) expect(ENTITIES[name].name).toBe(name);
  });

  it('keeps the natural key among the columns the merge writes, and the required columns among the CSV columns', () => {
    for (const spec of Object.values(ENTITIES)) {
      expect(spec.key.filter((k) => !spec.staging.includes(k)), spec.name).toEqual([]);
      expect(spec.required.filter((c) => !spec.columns.includes(c)), spec.name).toEqual([]);
    }
  });

  it('links assessments, abstinence tests and follow-up interviews to episodes by their dates, and nothing else', () => {
    expect(LINKED_ENTITIES.map((s) => [s.name, s.table, s.link?.date, s.link?.rule ?? 'window'])).toEqual([
      ['assessments', 'assessments', 'administered_on', 'window'],
      ['abstinence', 'abstinence_tests', 'collected_on', 'window'],
      ['followups', 'followups', 'interviewed_on', 'admitted'],
    ]);
  });

  it('lets a FHIR load write only the columns of the entity it loads through', () => {
    for (const entity of FHIR_ENTITIES) {
      expect(FHIR_COLUMNS[entity].filter((c) => c !== SOURCE_COLUMN && !ENTITIES[entity].columns.includes(c)), entity).toEqual([]);
    }
  });

  it('does not compile a spec that lacks a part or names a column its table or file lacks', () => {
    // These are compile-time checks (`npx tsc --noEmit` runs over tests/): each line
    // below must be an error, or the @ts-expect-error above it fails the type check.
    const { link: _link, ...withoutLink } = tracks;
    // @ts-expect-error: a spec needs a link rule (null when its rows do not link)
    defineEntity(withoutLink);
    // @ts-expect-error: `colour` is not a column of the tracks table
    defineEntity({ ...tracks, staging: ['track_code', 'colour'] });
    // @ts-expect-error: a natural key must be one of the entity's CSV columns
    defineEntity({ ...tracks, key: ['level'] });
    // @ts-expect-error: a link date must be a column of the table
    defineEntity({ ...abstinence, link: { date: 'administered_on' } });
    // @ts-expect-error: attendance has no source_episode_id, so its rows cannot link by date
    defineEntity({ ...attendance, link: { date: 'session_date' } });
    const partial = { tracks, instruments, patients, episodes, attendance, assessments };
    // @ts-expect-error: the registry needs a spec for every entity name (abstinence is missing)
    const registry: { readonly [N in EntityName]: EntitySpec<N> } = partial;
    expect(registry).toBe(partial);
  });
});
