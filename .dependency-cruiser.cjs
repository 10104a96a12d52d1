/**
 * The layer order (docs/architecture.md, "Layer order lint"): ingest and warehouse at the
 * bottom, metrics over the warehouse, the api over both, the dashboard over the api's types
 * only.
 * `bin/` wires everything and nothing imports it; `tools/` (the synthetic cohort
 * generator) sits beside the pipeline and no layer depends on it. `npm run lint` runs
 * this over the layered folders; tests/layers/layer-order.test.ts shows every rule
 * rejecting a bad arrow. Type-only imports count (tsPreCompilationDeps): a type is an
 * arrow too, except where a rule says it is the one arrow allowed.
 */
const LAYERS = ['bin', 'tools', 'ingest', 'warehouse', 'metrics', 'api', 'charts', 'dashboard'];
const folder = (...names) => `^(${names.join('|')})/`;
const others = (...allowed) => LAYERS.filter((l) => !allowed.includes(l));

/**
 * Leaf modules the browser bundle may import at runtime: each imports nothing, so nothing
 * of the server ships (the rule `browser-shared-modules-are-leaves` keeps them so).
 */
const BROWSER_SHARED = ['^metrics/csv-cell\\.ts$'];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'warehouse-imports-no-layer',
      comment: 'The warehouse is the bottom layer: migrations, models and types know nothing of ingest, metrics, api, bin, tools or the dashboard.',
      severity: 'error',
      from: { path: folder('warehouse') },
      to: { path: folder(...others('warehouse')) },
    },
    {
      name: 'ingest-imports-only-warehouse',
      comment: 'ingest → warehouse: the pipeline stage writes the warehouse and reads nothing above it.',
      severity: 'error',
      from: { path: folder('ingest') },
      to: { path: folder(...others('ingest', 'warehouse')) },
    },
    {
      name: 'metrics-imports-only-warehouse',
      comment: 'metrics → warehouse: metrics read the warehouse; ingest is a sibling, the api and the CLI sit above.',
      severity: 'error',
      from: { path: folder('metrics') },
      to: { path: folder(...others('metrics', 'warehouse')) },
    },
    {
      name: 'api-imports-no-bin-tools-or-dashboard',
      comment: 'api → metrics, ingest, warehouse: the API serves the built dashboard as files and never imports it.',
      severity: 'error',
      from: { path: folder('api') },
      to: { path: folder('bin', 'tools', 'dashboard') },
    },
    {
      name: 'dashboard-imports-api-types-only',
      comment: 'dashboard → api types only: the response types come from the api/metrics zod schemas with `import type`, so nothing of the server ships to the browser.',
      severity: 'error',
      from: { path: folder('dashboard') },
      to: { path: folder('api', 'metrics'), pathNot: BROWSER_SHARED, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'dashboard-imports-no-server-layer',
      comment: 'The dashboard knows the API contract, not the warehouse, ingest, the CLI or the generator (not even their types).',
      severity: 'error',
      from: { path: folder('dashboard') },
      to: { path: folder('warehouse', 'ingest', 'bin', 'tools') },
    },
    {
      name: 'browser-shared-modules-are-leaves',
      comment: 'A module the dashboard imports at runtime imports no other module of ours.',
      severity: 'error',
      from: { path: BROWSER_SHARED },
      to: { path: folder(...LAYERS) },
    },
    {
      name: 'charts-are-pure',
      comment: 'charts/ holds the chart functions the dashboard draws in the browser and the printable report draws on the server: pure functions of API responses, reading the response types only (type-only imports), never a server module or the dashboard.',
      severity: 'error',
      from: { path: folder('charts') },
      to: { path: folder(...others('charts')), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'charts-read-response-types-only',
      comment: 'The chart functions know the API contract (metrics and api schemas, as types), not the warehouse, ingest, the CLI, the generator or the dashboard.',
      severity: 'error',
      from: { path: folder('charts') },
      to: { path: folder('warehouse', 'ingest', 'bin', 'tools', 'dashboard') },
    },
    {
      name: 'nothing-imports-bin',
      comment: 'bin/ is the CLI: it may import every layer, and no layer imports it.',
      severity: 'error',
      from: { path: folder(...others('bin')) },
      to: { path: folder('bin') },
    },
    {
      name: 'tools-import-no-api-bin-or-dashboard',
      comment: 'tools/ (the generator) writes files: it may read the lower layers, never the api, the CLI or the dashboard.',
      severity: 'error',
      from: { path: folder('tools') },
      to: { path: folder('api', 'bin', 'dashboard') },
    },
    {
      name: 'no-layer-imports-tools',
      comment: 'The pipeline does not depend on the generator; only bin/ (the generate and demo commands), bench/ and tests/ use it.',
      severity: 'error',
      from: { path: folder(...others('tools', 'bin')) },
      to: { path: folder('tools') },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: '(^|/)(node_modules|dist)/' },
  },
};
