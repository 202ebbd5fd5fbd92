import { meridianVitestConfig } from '../../vitest.shared.ts';

export default meridianVitestConfig({ globalSetup: ['test/setup/s3.ts'] });
