/**
 * Vite configuration of the renderer. build/build.mjs runs it with `root: renderer/`,
 * so paths here are relative to renderer/. The production build must run under the
 * strict CSP of index.html: no inline script or style, no data: assets, no
 * module-preload polyfill (it would fetch()), everything as files under dist/renderer.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  clearScreen: false,
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Electron 45 ships a recent Chromium; no legacy transpiling needed.
    target: 'chrome130',
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2048,
  },
});
