import type { Command } from 'commander';
import type { CliContext } from '../context';
import { registerAudit } from './audit';
import { registerMetrics } from './metrics';
import { registerDemo } from './demo';
import { registerGenerate } from './generate';
import { registerIngest } from './ingest';
import { registerJobs } from './jobs';
import { registerLineage } from './lineage';
import { registerServe } from './serve';
import { registerSpc } from './spc';
import { registerUsers } from './users';

/** Every command module registers itself here; bin/iop.ts stays thin. */
export function registerCommands(program: Command, ctx: CliContext): void {
  registerLineage(program, ctx);
  registerIngest(program, ctx);
  registerGenerate(program, ctx);
  registerDemo(program, ctx);
  registerMetrics(program, ctx);
  registerSpc(program, ctx);
  registerUsers(program, ctx);
  registerServe(program, ctx);
  registerJobs(program, ctx);
  registerAudit(program, ctx);
}
