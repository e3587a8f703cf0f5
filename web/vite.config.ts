// Builds the developer portal (index.html) and the customer pages (customer.html) to web/dist,
// served by the API server at /portal and /c/{account_id}; both share /portal/assets.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/portal/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      input: {
        portal: fileURLToPath(new URL('index.html', import.meta.url)),
        customer: fileURLToPath(new URL('customer.html', import.meta.url)),
      },
    },
  },
  server: {
    proxy: {
      '/v1': 'http://localhost:3000',
      '/openapi.json': 'http://localhost:3000',
      '/docs': 'http://localhost:3000',
    },
  },
});
