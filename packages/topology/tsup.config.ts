import { defineConfig } from 'tsup';

export default defineConfig({
  // The topology.ts runner is its own entry: worker threads load it by file (src/load/typescript.ts).
  entry: { index: 'src/index.ts', 'typescript-worker': 'src/load/typescript-worker.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node22',
});
