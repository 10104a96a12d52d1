import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import pg from 'pg';
import { connect, migrate } from './db';
import { acquireTestServer } from './scratch-server';
import { withDatabase } from './urls';

/**
 * Regenerates warehouse/db-types.ts from a freshly migrated scratch database
 * (kysely-codegen), or with `--verify` fails when the checked-in types have drifted.
 */
export const CODEGEN_ARGS = [
  '--dialect', 'postgres',
  '--date-parser', 'string',
  '--numeric-parser', 'number',
  '--type-mapping', JSON.stringify({ int8: 'number' }),
  '--exclude-pattern', 'kysely_*',
  '--out-file', 'warehouse/db-types.ts',
];

export function runCodegen(url: string, verify: boolean): { ok: boolean; output: string } {
  const res = spawnSync('npx', ['kysely-codegen', '--url', url, ...CODEGEN_ARGS, ...(verify ? ['--verify'] : [])], {
    encoding: 'utf8',
  });
  return { ok: res.status === 0, output: `${res.stdout}${res.stderr}` };
}

async function main(): Promise<void> {
  const verify = process.argv.includes('--verify');
  const server = await acquireTestServer();
  const name = `iop_codegen_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  try {
    const url = withDatabase(server.adminUrl, name);
    const wh = connect(url, 2);
    await migrate(wh.db);
    await wh.close();
    const { ok, output } = runCodegen(url, verify);
    process.stderr.write(output);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await admin.query(`drop database ${name} with (force)`);
    await admin.end();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
