import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Built into dashboard/dist and served at / by `iop serve` (api/README.md).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    // `vite --config dashboard/vite.config.ts` against a running `iop serve` on :3000.
    proxy: { '/api': 'http://localhost:3000' },
  },
});
