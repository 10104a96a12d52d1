import fs from 'node:fs';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { FileError, sha256OfStream } from '../../ingest/csv-source';
import { ENTITIES, ENTITY_NAMES, isEntityName } from '../../ingest/entities';
import { ingestCsv, type IngestSummary } from '../../ingest/loader';
import { loadProfile, ProfileError } from '../../ingest/profile';
import { spoolUpload, type SpooledUpload } from '../../ingest/upload-spool';
import { withWarehouse, type CliContext } from '../context';
import { ingestFhirCommand } from './ingest-fhir';
import { FailureError, UsageError } from '../errors';

/** `iop ingest <entity> <file|-> [--source NAME] [--profile FILE] [--json]` (docs/cli.md). */
export function registerIngest(program: Command, ctx: CliContext): void {
  program
    .command('ingest')
    .description(`load one CSV file (or - for stdin) as one batch; entity: ${ENTITY_NAMES.join('|')}`)
    .argument('<entity>', `one of ${ENTITY_NAMES.join(', ')}, or fhir (a FHIR R4 Bundle or NDJSON file)`)
    .argument('<file>', 'a CSV file, or - for standard input')
    .option('--source <name>', 'source name recorded in the lineage (default: the file name)')
    .option('--profile <file>', 'header profile (JSON) mapping other headers, dates and codes')
    .option('--json', 'print the summary as one JSON document')
    .action(async (entity: string, file: string, o: { source?: string; profile?: string; json?: boolean }) => {
      if (entity === 'fhir') return ingestFhirCommand(ctx, file, o);
      if (!isEntityName(entity)) throw new UsageError(`unknown entity "${entity}"; expected one of ${ENTITY_NAMES.join(', ')}`);
      let profile;
      try {
        profile = o.profile ? loadProfile(o.profile, ENTITIES[entity].columns) : undefined;
      } catch (e) {
        if (e instanceof ProfileError) throw new UsageError(e.message);
        throw e;
      }
      const source = o.source ?? (file === '-' ? 'stdin' : path.basename(file));
      // Standard input is received whole before the batch (and its lock) starts: a pipe
      // that stalls must not hold up every other ingest (issue 20).
      const stdin = file === '-' ? await spoolStdin() : null;
      try {
        const input = stdin?.file ?? file;
        const sha256 = stdin?.sha256 ?? await hashFile(file);
        const summary = await withWarehouse(ctx, async (wh) => {
          const size = fs.statSync(input).size;
          const bar = process.stderr.isTTY && size > 0 ? new SingleBar({ format: `ingest ${entity} [{bar}] {percentage}% | {value}/{total} bytes`, stream: process.stderr }) : null;
          bar?.start(size, 0);
          try {
            return await ingestCsv(wh, { entity, input: fs.createReadStream(input), sourceName: source, profile, sha256, onProgress: (b) => bar?.update(b) });
          } catch (e) {
            if (e instanceof FileError) throw new FailureError(`${file}: ${e.message} (nothing was applied)`);
            throw e;
          } finally {
            bar?.stop();
          }
        });
        ctx.out(o.json ? JSON.stringify(summary) : describe(summary));
      } finally {
        stdin?.remove();
      }
    });
}

async function spoolStdin(): Promise<SpooledUpload> {
  try {
    return await spoolUpload(process.stdin);
  } catch (e) {
    throw new FailureError(`cannot read standard input: ${e instanceof Error ? e.message : String(e)} (nothing was applied)`);
  }
}

async function hashFile(file: string): Promise<string> {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new FailureError(`${file} is not a regular file`);
    return await sha256OfStream(fs.createReadStream(file));
  } catch (e) {
    if (e instanceof FailureError) throw e;
    throw new FailureError(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)} (nothing was applied)`);
  }
}

function describe(s: IngestSummary): string {
  const lines = [
    `batch ${s.batch_id} (${s.entity}): ${s.status}`,
    `  rows read ${s.rows_read}, inserted ${s.inserted}, updated ${s.updated}, unchanged ${s.unchanged}, rejected ${s.rejected}`,
    ...s.warnings.map((w) => `  warning: ${w}`),
    ...s.errors.map((e) => `  line ${e.line}${e.column ? `, ${e.column}` : ''}${e.value !== null ? ` = "${e.value}"` : ''}: ${e.message}`),
  ];
  if (s.rejected > s.errors.length) lines.push(`  … see all rejected rows with: iop rejects --batch ${s.batch_id}`);
  return lines.join('\n');
}
