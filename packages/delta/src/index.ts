// Public API of @meridian/delta: every export is named here.
export { DeltaError } from './errors.ts';
export type { DeltaErrorCode } from './errors.ts';
export type { ObjectInfo, Storage } from './storage/storage.ts';
