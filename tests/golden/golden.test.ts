import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../harness/database';
import { captureApi, captureCli, GOLDEN_DIR, loadCohort, storedGoldenFiles } from './capture';

/**
 * Issue 14 item 8: for the same data, the CLI and API bodies are byte-identical before
 * and after a refactor. The saved bodies (tests/fixtures/golden) were captured from the
 * code before the refactor; `GOLDEN_UPDATE=1` rewrites them, which is right only for a
 * change meant to alter a response (say so in the commit). See capture.ts for the two
 * kinds of field that are normalised (batch ids, timestamps) and where.
 */
const t = useTestDatabase();
const UPDATE = process.env.GOLDEN_UPDATE === '1';
const bodies = new Map<string, string>();

/**
 * The bodies kept on disk. `iop metrics` prints the API's bytes (plus a newline), which
 * the last test checks, so only the API's copy of a metric body is saved (half the size).
 */
const saved = () => [...bodies].filter(([name]) => !name.startsWith('cli/metrics-'));

beforeAll(async () => {
  await loadCohort(t.wh);
  for (const [name, body] of await captureCli(t.wh)) bodies.set(name, body);
  for (const [name, body] of await captureApi(t.wh)) bodies.set(name, body);
  if (UPDATE) {
    fs.rmSync(GOLDEN_DIR, { recursive: true, force: true });
    for (const [name, body] of saved()) {
      fs.mkdirSync(path.dirname(path.join(GOLDEN_DIR, name)), { recursive: true });
      fs.writeFileSync(path.join(GOLDEN_DIR, name), body);
    }
  }
}, 300_000);

describe('the demo cohort responses', () => {
  it('cover exactly the saved set of responses', () => {
    expect(saved().map(([name]) => name).sort()).toEqual(storedGoldenFiles());
  });

  it('are byte-identical to the saved CLI and API bodies', () => {
    const differing = saved().filter(([name, body]) => {
      const file = path.join(GOLDEN_DIR, name);
      return !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== body;
    }).map(([name]) => name);
    expect(differing).toEqual([]);
  });

  it('give the same bytes from `iop metrics` (JSON and CSV) as from the API', () => {
    const cli = [...bodies].filter(([name]) => name.startsWith('cli/metrics-'));
    expect(cli.length).toBeGreaterThan(0);
    for (const [name, body] of cli) {
      const api = bodies.get(name.replace(/^cli\//, 'api/'));
      expect(api, name).toBeDefined();
      // The CLI ends its output with a newline (bin/context.ts); the API body is the bare document.
      expect(body, name).toBe((api ?? '').endsWith('\n') ? api : `${api ?? ''}\n`);
    }
  });
});
