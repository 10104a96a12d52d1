import type { z } from 'zod';
import type { DB } from '../../warehouse/db-types';
import type { FieldContext } from '../fields';
import type { CellError, RefKind, Refs } from '../references';
import type { EntityName } from './names';

/** A warehouse table an entity loads into. */
export type EntityTable = 'tracks' | 'sites' | 'clinicians' | 'instruments' | 'patients' | 'episodes' | 'attendance' | 'assessments' | 'abstinence_tests' | 'followups';

/** A CSV row after its zod schema: canonical column → parsed value. */
export type ParsedRow = Record<string, unknown>;

/**
 * Rows link to an episode by this date column when they name none (docs/formats.md
 * "Episode linking"): by default to the episode whose linking window holds the date;
 * with `rule: 'admitted'`, to the patient's latest episode admitted on or before it.
 */
export interface LinkRule {
  readonly date: string;
  readonly rule?: LinkKind;
}
export type LinkKind = 'window' | 'admitted';

/**
 * Everything the pipeline knows about one CSV entity (docs/formats.md), in one place:
 * the reader maps headers by `columns`/`required`, rows are parsed by `schema` and
 * checked against `references` by `stage`, the merge writes `staging` to `table` by
 * `key`, and `link` says whether (and by which date) rows link to an episode. The
 * quality report counts `table` and the unlinked rows of linked entities;
 * tests/ingest/formats-doc.test.ts holds docs/formats.md to the same specs.
 */
export interface EntitySpec<N extends EntityName = EntityName, L extends LinkRule | null = LinkRule | null> {
  readonly name: N;
  readonly table: EntityTable;
  /** Canonical CSV columns, in the order the header error lists them (item columns of assessments apart). */
  readonly columns: readonly string[];
  readonly required: readonly string[];
  /** The natural key: a later row with the same key updates the stored one (docs/formats.md). */
  readonly key: readonly string[];
  /** The table columns a staged row holds, in COPY order: what `stage` returns. */
  readonly staging: readonly string[];
  /**
   * Optional columns added after files were in use (docs/formats.md "Older files"): a file
   * whose header lacks one leaves its stored value as it is, so re-ingesting an older
   * export neither clears it nor records a correction for it.
   */
  readonly keepWhenAbsent: readonly string[];
  /** Whether the header may carry `item_1 … item_n` score columns. */
  readonly itemColumns: boolean;
  /** The reference data `stage` checks rows against; loaded once per batch. */
  readonly references: readonly RefKind[];
  /** How rows link to an episode; null when the entity's rows do not link. */
  readonly link: L;
  schema(fc: FieldContext): z.ZodType<ParsedRow>;
  /**
   * The staging values of a parsed row (in `staging` order), after the checks that need
   * the references; pushes every problem to `errors`, and returns null when the row
   * cannot be staged at all.
   */
  stage(row: ParsedRow, items: Map<number, string>, refs: Refs, errors: CellError[]): unknown[] | null;
}

type Column<T extends EntityTable> = keyof DB[T] & string;

/** Tables whose rows can link to an episode: the link is written to episode_id, beside the file's source_episode_id (ingest/link.ts). */
type LinkableTable = { [K in EntityTable]: 'patient_id' | 'episode_id' | 'source_episode_id' extends keyof DB[K] ? K : never }[EntityTable];

/**
 * A spec whose names are checked against its table at compile time: `required`, `key`
 * and the link date are CSV columns (`C`), and the staging columns, key and link date
 * are columns of `T` (warehouse/db-types.ts, generated from the migrations), and only
 * a table with the link columns can take a link rule.
 */
export interface CheckedSpec<N extends EntityName, T extends EntityTable, C extends string, L extends { readonly date: C & Column<T>; readonly rule?: LinkKind } | null>
  extends EntitySpec<N, L> {
  readonly table: L extends null ? T : T & LinkableTable;
  readonly columns: readonly C[];
  readonly required: readonly NoInfer<C>[];
  readonly key: readonly (NoInfer<C> & Column<T>)[];
  readonly staging: readonly Column<T>[];
  readonly keepWhenAbsent: readonly (NoInfer<C> & Column<T>)[];
}

/** Declares one entity (see CheckedSpec). */
export function defineEntity<
  const N extends EntityName, const T extends EntityTable, const C extends string, const L extends { readonly date: NoInfer<C> & Column<T>; readonly rule?: LinkKind } | null,
>(spec: CheckedSpec<N, T, C, L>): CheckedSpec<N, T, C, L> {
  return spec;
}

/** The `stage` of an entity whose parsed row is its staging row. */
export function stageAsParsed(staging: readonly string[]): EntitySpec['stage'] {
  return (row) => staging.map((c) => row[c]);
}

/**
 * The parts every plain lookup table shares (tracks, sites, instruments): its rows are
 * staged as parsed, checked against no other entity, and never link to an episode.
 */
export function lookupTable<const C extends readonly string[]>(columns: C, keepWhenAbsent: readonly C[number][] = []) {
  return {
    columns,
    staging: columns,
    keepWhenAbsent,
    itemColumns: false,
    references: [],
    link: null,
    stage: stageAsParsed(columns),
  } as const;
}
