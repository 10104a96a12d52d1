import path from 'node:path';
import { z } from 'zod';
import { SPC_TARGET_DEFAULTS } from './rules';

/**
 * Process configuration, parsed once from the environment and frozen (docs/conventions.md: no
 * `process.env` reads deep in the code). Defaults are the safe ones: suppression on
 * at the CMS cell size, no open admin, embedded PostgreSQL under ./.iop.
 */
const EnvSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  IOP_DATA_DIR: z.string().default('.iop'),
  IOP_MIN_CELL: z.coerce.number().int().min(0).max(1000).default(11),
  IOP_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  IOP_HOST: z.string().default('127.0.0.1'),
  IOP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  IOP_COOKIE_SECURE: z.enum(['true', 'false', 'auto']).default('auto'),
  IOP_INGEST_STALL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  IOP_INGEST_MAX_BYTES: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).default(2 * 1024 ** 3),
  IOP_SPC_TARGETS: z.string().optional(),
  // Checked where it is used (metrics/exports/pseudonym.ts): a missing or short secret refuses the export, not start-up.
  IOP_EXPORT_SECRET: z.string().optional(),
});

/**
 * `IOP_SPC_TARGETS=completion=0.40,attendance=0.85` (docs/metrics.md "SPC charts: Targets"): the target
 * line of each SPC series, over the defaults of warehouse/rules.ts; `series=none`
 * removes a default. Read once here, so a typo fails at start-up, not in a chart.
 */
export function parseSpcTargets(raw: string | undefined): Readonly<Record<string, number>> {
  const targets: Record<string, number> = { ...SPC_TARGET_DEFAULTS };
  for (const item of (raw ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([a-z][a-z-]*)=(none|-?\d+(?:\.\d+)?)$/.exec(item);
    if (!m || m[1] === undefined || m[2] === undefined) throw new ConfigError(`Invalid environment: IOP_SPC_TARGETS: "${item}" is not series=number or series=none`);
    if (m[2] === 'none') delete targets[m[1]];
    else targets[m[1]] = Number(m[2]);
  }
  return Object.freeze(targets);
}

export interface Config {
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly minCell: number;
  readonly logLevel: z.infer<typeof EnvSchema>['IOP_LOG_LEVEL'];
  readonly host: string;
  readonly port: number;
  readonly cookieSecure: 'true' | 'false' | 'auto';
  /** An ingest upload that sends nothing for this long is aborted (docs/operations.md). */
  readonly ingestStallMs: number;
  /** Largest ingest upload in bytes; larger ones answer 413. */
  readonly ingestMaxBytes: number;
  /** The target line of each SPC series that has one (docs/metrics.md "SPC charts: Targets"). */
  readonly spcTargets: Readonly<Record<string, number>>;
  /** The key of the TEDS-D CASEID pseudonym (docs/security.md "Export pseudonyms"); unset: the export refuses to run. */
  readonly exportSecret: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid environment: ${details}`);
  }
  const e = parsed.data;
  return Object.freeze({
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.IOP_DATA_DIR),
    minCell: e.IOP_MIN_CELL,
    logLevel: e.IOP_LOG_LEVEL,
    host: e.IOP_HOST,
    port: e.IOP_PORT,
    cookieSecure: e.IOP_COOKIE_SECURE,
    ingestStallMs: e.IOP_INGEST_STALL_MS,
    ingestMaxBytes: e.IOP_INGEST_MAX_BYTES,
    spcTargets: parseSpcTargets(e.IOP_SPC_TARGETS),
    exportSecret: e.IOP_EXPORT_SECRET === '' ? undefined : e.IOP_EXPORT_SECRET,
  });
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}
