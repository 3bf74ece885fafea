import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig(({ mode }) =>
  mode === 'preload'
    ? {
        // `vite build --mode preload`: sandboxed preloads cannot load ES modules or local files,
        // so preload.ts and the contract code it uses become one CommonJS file; only `electron`
        // stays a require().
        build: {
          outDir: here('./dist/preload'),
          emptyOutDir: true,
          minify: false,
          lib: { entry: here('./preload/preload.ts'), formats: ['cjs'], fileName: () => 'preload.cjs' },
          rollupOptions: { external: ['electron'] },
        },
      }
    : {
        // The renderer: root renderer/, built to dist/renderer with relative URLs so the same
        // build loads from Electron's app:// protocol and from the server at `/`.
        root: here('./renderer'),
        base: './',
        plugins: [react()],
        build: { outDir: here('./dist/renderer'), emptyOutDir: true, chunkSizeWarningLimit: 4096, sourcemap: false },
        worker: { format: 'es' },
      },
);
