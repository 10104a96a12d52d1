import type { Command } from 'commander';
import type { CliContext } from '../context';
import { registerAudit } from './audit';
import { registerBatches } from './batches';
import { registerCompare } from './compare';
import { registerDemo } from './demo';
import { registerExport } from './export';
import { registerGenerate } from './generate';
import { registerIngest } from './ingest';
import { registerJobs } from './jobs';
import { registerMeasures } from './measures';
import { registerMetrics } from './metrics';
import { registerMigrate } from './migrate';
import { registerProgress } from './progress';
import { registerRefresh } from './refresh';
import { registerRejects } from './rejects';
import { registerServe } from './serve';
import { registerSpc } from './spc';
import { registerUsers } from './users';

/**
 * Every command module registers itself here; bin/iop.ts stays thin. A command lives in the
 * file named after it (`iop ingest fhir` in ingest-fhir.ts); the order is the order of `--help`.
 */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerMigrate(program, ctx);
  registerBatches(program, ctx);
  registerRejects(program, ctx);
  registerRefresh(program, ctx);
  registerIngest(program, ctx);
  registerGenerate(program, ctx);
  registerDemo(program, ctx);
  registerMetrics(program, ctx);
  registerSpc(program, ctx);
  registerCompare(program, ctx);
  registerMeasures(program, ctx);
  registerExport(program, ctx);
  registerUsers(program, ctx);
  registerServe(program, ctx);
  registerJobs(program, ctx);
  registerAudit(program, ctx);
  registerProgress(program, ctx);
}
