import crypto from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connect, migrate } from '../../warehouse/db';
import { acquireTestServer } from '../../warehouse/scratch-server';
import { withDatabase } from '../../warehouse/urls';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

/** Starts one server for the run and migrates a template that every test file clones. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await acquireTestServer((m) => process.stderr.write(`[harness] ${m}\n`));
  const template = `iop_tmpl_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query(`create database ${template}`);
  await admin.end();

  const wh = connect(withDatabase(server.adminUrl, template), 2);
  await migrate(wh.db);
  await wh.close();

  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgTemplate', template);

  return async () => {
    const c = new pg.Client({ connectionString: server.adminUrl });
    await c.connect();
    const left = await c.query<{ datname: string }>(
      `select datname from pg_database where datname = $1 or datname like $2`,
      [template, `${template}_f%`],
    );
    for (const { datname } of left.rows) await c.query(`drop database if exists "${datname}" with (force)`);
    await c.end();
    await server.stop();
  };
}
