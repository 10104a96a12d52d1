import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { connect, type Warehouse } from '../../warehouse/db';
import { withDatabase } from '../../warehouse/urls';

/**
 * A fresh database for this test file, cloned from the migrated template (docs/testing.md:
 * tests never share rows). Call at the top level of a test file.
 */
export function useTestDatabase(): { readonly url: string; readonly wh: Warehouse } {
  const state: { url?: string; wh?: Warehouse; name?: string } = {};
  beforeAll(async () => {
    const { url, name } = await createTestDatabase();
    state.url = url;
    state.name = name;
    state.wh = connect(url, 4);
  });
  afterAll(async () => {
    await state.wh?.close();
    if (state.name) await dropTestDatabase(state.name);
  });
  return {
    get url() {
      if (!state.url) throw new Error('test database not ready: use it inside tests or hooks');
      return state.url;
    },
    get wh() {
      if (!state.wh) throw new Error('test database not ready: use it inside tests or hooks');
      return state.wh;
    },
  };
}

export async function createTestDatabase(): Promise<{ url: string; name: string }> {
  const template = inject('pgTemplate');
  const name = `${template}_f${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    // Two files cloning the template at the same moment can collide; retry briefly.
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.query(`create database "${name}" template "${template}"`);
        break;
      } catch (e) {
        if (attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 100 + attempt * 50));
      }
    }
  } finally {
    await admin.end();
  }
  return { url: withDatabase(inject('pgAdminUrl'), name), name };
}

export async function dropTestDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
  await admin.connect();
  try {
    await admin.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await admin.end();
  }
}
