// Builds the developer portal to web/dist, served by the API server at /portal.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/portal/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      '/v1': 'http://localhost:3000',
      '/openapi.json': 'http://localhost:3000',
      '/docs': 'http://localhost:3000',
    },
  },
});
