/**
 * The canonical CSV entities of docs/formats.md, in load order (references first).
 * A name here needs its spec in `index.ts`: the registry does not compile without it.
 */
export const ENTITY_NAMES = ['tracks', 'sites', 'clinicians', 'instruments', 'patients', 'episodes', 'attendance', 'assessments', 'abstinence', 'followups'] as const;
export type EntityName = (typeof ENTITY_NAMES)[number];

export function isEntityName(s: string): s is EntityName {
  return (ENTITY_NAMES as readonly string[]).includes(s);
}
