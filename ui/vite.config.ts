// Builds the dashboard SPA into dist/ui. Asset URLs are relative (`base: './'`), so they
// resolve against the page's <base href>, which the dashboard server rewrites to /<rootPath>/.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: new URL('../dist/ui', import.meta.url).pathname,
    emptyOutDir: true,
    chunkSizeWarningLimit: 1024,
  },
  server: {
    // `npx vite --config ui/vite.config.ts` with a dashboard on :3100 (root path "").
    proxy: { '/api': 'http://127.0.0.1:3100' },
  },
});
