import { meridianVitestConfig } from '../vitest.shared.ts';

export default meridianVitestConfig({ root: import.meta.dirname });
