import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dashboard/dist/**', '.iop/**', 'bench/data/**', 'coverage/**', '.scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Migrations are frozen and typed against Kysely<any> on purpose (docs/operations.md,
    // "Migrations"); the fixtures hold two migrations as they first landed.
    files: ['warehouse/migrations/**', 'tests/fixtures/pre-edit-migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The dashboard depends on the server's modules for types only (the layer order
    // ingest/warehouse → metrics → api → dashboard): a value import would ship server code,
    // zod included, to the browser. The one exception is the shared CSV cell writer, which
    // imports nothing (docs/security.md "CSV exports").
    files: ['dashboard/src/**', 'charts/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ regex: '^(\\.\\./)+((bin|ingest|warehouse|api)/|metrics/(?!csv-cell$))', allowTypeImports: true, message: 'the dashboard may import server modules with `import type` only' }],
        paths: [{ name: 'zod', message: 'zod stays on the server; the dashboard reads z.infer types' }],
      }],
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // dependency-cruiser reads a CommonJS config (docs/architecture.md, "Layer order lint").
    files: ['.dependency-cruiser.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, sourceType: 'commonjs', globals: { module: 'writable' } },
  },
);
