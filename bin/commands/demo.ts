import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { hashPassword } from '../../api/auth/password';
import { hashToken, newToken } from '../../api/auth/tokens';
import { startServer } from '../../api/server';
import { ingestCsv } from '../../ingest/loader';
import { generateCohort, type GenerateSummary } from '../../tools/generate/index';
import { isEntityName } from '../../ingest/entities';
import { sha256OfStream } from '../../ingest/csv-source';
import type { Warehouse } from '../../warehouse/db';
import type { CliContext } from '../context';
import { UsageError } from '../errors';
import { untilSignal } from '../signals';

/**
 * `iop demo [--port P]` (docs/cli.md): embedded PostgreSQL → a synthetic cohort of
 * about 2,000 episodes → ingest (including a file of deliberately bad rows, to show the
 * quarantine) → serve the dashboard, printing the URL and credentials. Runs until
 * Ctrl-C, then stops the server and the embedded database cleanly.
 */
export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('start a demo: embedded PostgreSQL, a synthetic cohort, and the dashboard')
    .option('--port <port>', 'port to listen on', String(ctx.config.port))
    .option('--episodes <n>', 'episodes in the synthetic cohort', '2000')
    .action(async (o: { port: string; episodes: string }) => {
      const port = Number(o.port);
      const episodes = Number(o.episodes);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0–65535, got "${o.port}"`);
      if (!Number.isInteger(episodes) || episodes < 1) throw new UsageError(`--episodes must be a positive whole number`);
      const t0 = Date.now();
      const wh = await ctx.openWarehouse();
      try {
        const data = await demoCohort(path.join(ctx.config.dataDir, 'demo'), episodes, (m) => ctx.log.info(m));
        await loadCohort(wh, data, (m) => ctx.log.info(m));
        const creds = await demoUsers(wh);
        const server = await startServer({ wh, config: ctx.config, port, logger: ctx.log });
        ctx.out([
          '',
          `IOP Outcomes demo is serving at ${server.url}  (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
          `  sign in as admin / ${creds.adminPassword}   or use the admin API token:`,
          `  ${creds.adminToken}`,
          `  a viewer limited to the day track: viewer / ${creds.viewerPassword}`,
          `  e.g. curl -H "Authorization: Bearer ${creds.adminToken}" ${server.url}/api/v1/metrics/retention`,
          'Press Ctrl-C to stop.',
        ].join('\n'));
        await untilSignal();
        ctx.log.info('stopping…');
        await server.close();
      } finally {
        await wh.close();
      }
    });
}

async function demoCohort(dir: string, episodes: number, log: (m: string) => void): Promise<GenerateSummary> {
  const asOf = new Date().toISOString().slice(0, 10);
  const marker = path.join(dir, 'summary.json');
  if (fs.existsSync(marker)) {
    const prev = JSON.parse(fs.readFileSync(marker, 'utf8')) as GenerateSummary;
    if (prev.asOf === asOf && prev.episodes === episodes) return prev;
  }
  log(`generating ${episodes} synthetic episodes in ${dir}`);
  const summary = await generateCohort({ episodes, seed: 2026, outDir: dir, asOf });
  fs.writeFileSync(marker, JSON.stringify(summary));
  return summary;
}

async function loadCohort(wh: Warehouse, data: GenerateSummary, log: (m: string) => void): Promise<void> {
  for (const f of [...data.files, ...data.badFiles]) {
    if (!isEntityName(f.entity)) continue;
    const sha256 = await sha256OfStream(fs.createReadStream(f.path));
    const s = await ingestCsv(wh, { entity: f.entity, input: fs.createReadStream(f.path), sourceName: `demo ${path.relative(path.dirname(data.outDir), f.path)}`, sha256 });
    log(`ingest ${f.entity} ${path.basename(f.path)}: ${s.status}, +${s.inserted} ~${s.updated} !${s.rejected}`);
  }
}

/** An admin and a day-track viewer with fresh random passwords and a fresh admin token for this run. */
async function demoUsers(wh: Warehouse): Promise<{ adminPassword: string; adminToken: string; viewerPassword: string }> {
  const adminPassword = crypto.randomBytes(9).toString('base64url');
  const viewerPassword = crypto.randomBytes(9).toString('base64url');
  const adminToken = newToken();
  const users = [
    { username: 'admin', role: 'admin', tracks: null, password_hash: await hashPassword(adminPassword) },
    { username: 'viewer', role: 'viewer', tracks: ['day'], password_hash: await hashPassword(viewerPassword) },
  ];
  await wh.db.transaction().execute(async (trx) => {
    for (const u of users) {
      await trx.insertInto('users').values(u)
        .onConflict((oc) => oc.column('username').doUpdateSet({ role: u.role, tracks: u.tracks, password_hash: u.password_hash, disabled_at: null }))
        .execute();
    }
    await trx.insertInto('api_tokens').values({ token_hash: hashToken(adminToken), username: 'admin', kind: 'api' }).execute();
  });
  return { adminPassword, adminToken, viewerPassword };
}

