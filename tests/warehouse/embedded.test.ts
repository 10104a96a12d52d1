import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedBusyError, startEmbedded, type EmbeddedServer } from '../../warehouse/embedded';

const REPO = path.resolve(import.meta.dirname, '../..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iop-embedded-test-'));
if (os.userInfo().uid === 0) fs.chmodSync(dir, 0o755);
let server: EmbeddedServer | undefined;

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, IOP_DATA_DIR: dir, IOP_LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  return spawnSync('npx', ['tsx', 'bin/iop.ts', ...args], { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
}

describe('embedded PostgreSQL data directory', () => {
  it('lets a second command attach to the server that holds the directory, with a message, instead of starting another', async () => {
    server = await startEmbedded(dir, () => undefined);
    const r = cli(['batches', '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/already running on .* it stays up when this command ends/);
    expect(JSON.parse(r.stdout)).toEqual([]);
    // The holder's server is still up and answering after the second command ended.
    const again = cli(['batches', '--json']);
    expect(again.status).toBe(0);
  });

  it('refuses with a clear message while another command is starting the same directory', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'iop-embedded-busy-'));
    try {
      fs.writeFileSync(path.join(other, 'starting.lock'), String(process.pid));
      await expect(startEmbedded(other, () => undefined)).rejects.toThrow(EmbeddedBusyError);
      await expect(startEmbedded(other, () => undefined)).rejects.toThrow(/starting the embedded PostgreSQL .* set DATABASE_URL/);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
