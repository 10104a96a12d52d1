import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FOLLOWUP_ITEM_COLUMNS } from '../fhir/map-followup';
import { DISCHARGE_REASONS, ENTITIES, ENTITY_NAMES, type EntityName } from '../entities';
import { loadProfile, ProfileError, type Profile } from '../profile';
import { cronError } from './schedule';

/**
 * `iop.config.json`: the ingest job sources (issue 7), validated with zod. Relative
 * paths are resolved against the config file's folder; a header profile is loaded and
 * validated with the config, so a bad source is reported before anything runs.
 */
const Name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1–64 letters, digits, ".", "_" or "-"');
const Cron = z.string().superRefine((s, ctx) => {
  const err = cronError(s);
  if (err) ctx.addIssue({ code: 'custom', message: `is not a cron expression (${err})` });
});

const FolderSchema = z.strictObject({
  name: Name,
  kind: z.literal('folder'),
  entity: z.enum(ENTITY_NAMES),
  path: z.string().min(1),
  patterns: z.array(z.string().min(1)).min(1).default(['*.csv']),
  profile: z.string().min(1).optional(),
  schedule: Cron,
  /** How long a file's size must stay unchanged before it is taken (without a `.done` marker). */
  settle_ms: z.number().int().min(0).max(3_600_000).default(2000),
  /** Take only files that have a `<file>.done` marker. */
  require_done_marker: z.boolean().default(false),
});

const FhirSchema = z.strictObject({
  name: Name,
  kind: z.literal('fhir'),
  base_url: z.url({ protocol: /^https?$/ }),
  resource_types: z.array(z.string().regex(/^[A-Z][A-Za-z]+$/, 'must be a FHIR resource type such as Observation')).min(1),
  auth: z.strictObject({ bearer_token_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }).optional(),
  schedule: Cron,
  discharge_map: z.record(z.string(), z.enum(DISCHARGE_REASONS)).optional(),
  episode_codes: z.record(z.string(), z.string().min(1)).optional(),
  /** GPRA/NOMs interview Questionnaires and their linkId → followups column map (docs/funder-reporting.md). */
  followup_map: z.strictObject({
    questionnaires: z.array(z.string().min(1)).min(1),
    items: z.record(z.string().min(1), z.enum(FOLLOWUP_ITEM_COLUMNS)),
  }).optional(),
  page_size: z.number().int().min(1).max(10_000).optional(),
});

const ConfigSchema = z.strictObject({
  sources: z.array(z.discriminatedUnion('kind', [FolderSchema, FhirSchema])).min(1, 'list at least one source'),
}).superRefine((c, ctx) => {
  const seen = new Set<string>();
  c.sources.forEach((s, i) => {
    if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: ['sources', i, 'name'], message: `"${s.name}" is used by another source` });
    seen.add(s.name);
  });
});

export type FolderSource = Omit<z.infer<typeof FolderSchema>, 'profile'> & { entity: EntityName; profile: Profile | undefined; profilePath: string | undefined };
export type FhirSource = z.infer<typeof FhirSchema> & { bearerToken: string | undefined };
export type JobSource = FolderSource | FhirSource;

export interface JobsConfig {
  readonly file: string;
  readonly sources: readonly JobSource[];
}

export class JobsConfigError extends Error {
  override name = 'JobsConfigError';
}

export const DEFAULT_CONFIG_FILE = 'iop.config.json';

/** Reads and validates the jobs config; `env` supplies the bearer tokens named by `auth.bearer_token_env`. */
export function loadJobsConfig(file: string, env: NodeJS.ProcessEnv): JobsConfig {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new JobsConfigError(`cannot read the jobs config ${abs}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new JobsConfigError(`${abs} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return parseJobsConfig(json, abs, env);
}

export function parseJobsConfig(json: unknown, file: string, env: NodeJS.ProcessEnv): JobsConfig {
  const parsed = ConfigSchema.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new JobsConfigError(`invalid jobs config ${file}:\n${details}`);
  }
  const dir = path.dirname(file);
  const sources = parsed.data.sources.map((s): JobSource => {
    if (s.kind === 'fhir') return { ...s, bearerToken: s.auth ? env[s.auth.bearer_token_env] : undefined };
    const profilePath = s.profile ? path.resolve(dir, s.profile) : undefined;
    return { ...s, path: path.resolve(dir, s.path), profilePath, profile: profilePath ? profileOf(s.name, profilePath, s.entity) : undefined };
  });
  return Object.freeze({ file, sources: Object.freeze(sources) });
}

function profileOf(source: string, file: string, entity: EntityName): Profile {
  try {
    return loadProfile(file, ENTITIES[entity].columns);
  } catch (e) {
    if (e instanceof ProfileError) throw new JobsConfigError(`source "${source}": ${e.message}`);
    throw e;
  }
}
