import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The dashboard is served by the BFF (same origin: cookies, CSRF, CSP). In `npm run dev`,
 * Vite proxies /api and /auth to the BFF, which then believes its public URL is Vite's.
 */
export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    // The CSP allows no inline script; keep Vite from inlining its module preload helper.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: process.env.BFF_URL ?? 'http://127.0.0.1:4000', changeOrigin: false },
      '/auth': { target: process.env.BFF_URL ?? 'http://127.0.0.1:4000', changeOrigin: false },
    },
  },
});
