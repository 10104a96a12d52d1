import { createRequire } from 'node:module';
import path from 'node:path';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

// The layer order (docs/architecture.md, "Layer order lint") as dependency-cruiser rules in
// .dependency-cruiser.cjs, which `npm run lint` also runs.
const ROOT = path.resolve(import.meta.dirname, '../..');
const config = createRequire(import.meta.url)(path.join(ROOT, '.dependency-cruiser.cjs')) as IConfiguration;
const LAYERED = ['bin', 'tools', 'ingest', 'warehouse', 'metrics', 'api', 'dashboard'];

/** The arrows against the rules, as `rule: from → to`, after checking the cruise saw the tree. */
async function violations(baseDir: string, roots: string[], atLeastModules: number): Promise<string[]> {
  const { output } = await cruise(roots, {
    ...config.options,
    tsConfig: undefined,
    baseDir,
    validate: true,
    ruleSet: { forbidden: config.forbidden ?? [] },
  });
  const result = output as ICruiseResult;
  expect(result.modules.length).toBeGreaterThanOrEqual(atLeastModules);
  return result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

describe('the layer order', () => {
  it('holds over the layered folders of the repository', async () => {
    expect(await violations(ROOT, LAYERED, 150)).toEqual([]);
  }, 60_000);

  it('rejects every arrow against it, types included, and allows the arrows along it', async () => {
    expect(await violations(path.join(ROOT, 'tests/fixtures/layers'), LAYERED, 8)).toEqual([
      'api-imports-no-bin-tools-or-dashboard: api/routes.ts → bin/iop.ts',
      'browser-shared-modules-are-leaves: metrics/csv-cell.ts → ingest/load.ts',
      'dashboard-imports-api-types-only: dashboard/app.ts → api/routes.ts',
      'dashboard-imports-no-server-layer: dashboard/app.ts → warehouse/db.ts',
      'ingest-imports-only-warehouse: ingest/load.ts → metrics/index.ts',
      'ingest-imports-only-warehouse: ingest/load.ts → tools/generate.ts',
      'metrics-imports-only-warehouse: metrics/csv-cell.ts → ingest/load.ts',
      'metrics-imports-only-warehouse: metrics/index.ts → ingest/load.ts',
      'no-layer-imports-tools: ingest/load.ts → tools/generate.ts',
      'nothing-imports-bin: api/routes.ts → bin/iop.ts',
      'tools-import-no-api-bin-or-dashboard: tools/generate.ts → api/routes.ts',
      'warehouse-imports-no-layer: warehouse/db.ts → metrics/index.ts',
    ]);
  }, 60_000);
});
