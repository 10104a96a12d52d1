import { abstinence } from './abstinence';
import { assessments } from './assessments';
import { attendance } from './attendance';
import { clinicians } from './clinicians';
import { episodes } from './episodes';
import { followups } from './followups';
import { instruments } from './instruments';
import { ENTITY_NAMES, type EntityName } from './names';
import { patients } from './patients';
import { sites } from './sites';
import type { EntitySpec } from './spec';
import { tracks } from './tracks';

export { ENTITY_NAMES, isEntityName, type EntityName } from './names';
export type { EntitySpec, EntityTable } from './spec';
export { DISCHARGE_REASONS } from './episodes';
export { MAX_ITEMS } from './instruments';

/**
 * The registry of CSV entities: one spec per name of ENTITY_NAMES, each declared in its
 * own file. A name without a spec, or a spec without one of its parts, does not compile.
 *
 * Adding an entity: its name in names.ts, its spec file here (defineEntity), a dated
 * migration for its table (then `npm run db:types`), its row in docs/formats.md (held to
 * the spec by tests/ingest/formats-doc.test.ts), the episodes it touches in the loader's
 * exhaustive `touchedEpisodes` switch (the compiler asks for it), and its tests.
 */
const SPECS = { tracks, sites, clinicians, instruments, patients, episodes, attendance, assessments, abstinence, followups } satisfies { readonly [N in EntityName]: EntitySpec<N> };

export const ENTITIES: { readonly [N in EntityName]: EntitySpec<N> } = SPECS;

type Specs = typeof SPECS;
/** The tables of the entities whose rows link to episodes (those the quality report counts unlinked rows of). */
export type LinkedTable = { [N in EntityName]: Specs[N]['link'] extends null ? never : Specs[N]['table'] }[EntityName];

/** The entities whose rows link to an episode by date, in load order. */
export const LINKED_ENTITIES: readonly EntitySpec[] = ENTITY_NAMES.map((n) => ENTITIES[n]).filter((s) => s.link !== null);
