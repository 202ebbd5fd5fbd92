import { meridianVitestConfig } from '../../vitest.shared.ts';

// The serve-query end-to-end test reuses @meridian/delta's globalSetup (Ceph RGW on loopback), started only when a
// selected test file imports its setup/s3-env module.
export default meridianVitestConfig({ root: import.meta.dirname, globalSetup: ['../delta/test/setup/s3.ts'] });
