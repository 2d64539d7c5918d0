// The console's build: served by `palisade serve` under /console/ from dist/console
// (src/server/console.ts). Assets are named by content hash, so the server lets browsers keep them.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // No inline assets: the server's Content-Security-Policy allows this origin's files only.
    assetsInlineLimit: 0,
  },
});
