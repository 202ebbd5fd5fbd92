import { defineConfig } from 'tsup';

export default defineConfig({
  // The decode worker is its own entry: worker threads load it by file (src/parquet/worker-pool.ts).
  entry: { index: 'src/index.ts', 'decode-worker': 'src/parquet/decode-worker.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
});
