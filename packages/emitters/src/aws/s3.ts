import type { ObjectStore } from '@meridian/topology';
import { type AwsTarget, unsupported } from './unsupported.ts';

// The storage classes a lifecycle rule can transition objects to (S3 API, "Transition": StorageClass), by the
// names a model may use for them. STANDARD is where objects start, never a transition target.
const transitionClasses = {
  'intelligent-tiering': 'INTELLIGENT_TIERING',
  'infrequent-access': 'STANDARD_IA',
  'one-zone-ia': 'ONEZONE_IA',
  glacier: 'GLACIER',
  'glacier-ir': 'GLACIER_IR',
  'deep-archive': 'DEEP_ARCHIVE',
} as const;

/** A storage class an S3 lifecycle rule can move objects to, as the S3 API names it. */
export type TransitionClass = (typeof transitionClasses)[keyof typeof transitionClasses];

/**
 * The S3 storage class lifecycle rule `rule` of `store` transitions to: a model name (`infrequent-access`, also
 * written `infrequent_access`) or the S3 API's own (`STANDARD_IA`). Refuses anything else, STANDARD included.
 */
export function transitionClass(target: AwsTarget, store: ObjectStore, rule: number): TransitionClass {
  const given = store.lifecycle?.[rule]?.storageClass ?? '';
  const byName = transitionClasses[given.toLowerCase().replace(/_/g, '-') as keyof typeof transitionClasses];
  const found = byName ?? Object.values(transitionClasses).find((c) => c === given);
  if (found) return found;
  throw unsupported(target, `${store.id}: lifecycle storage class '${given}' is no S3 transition storage class`, {
    path: ['components', store.id, 'lifecycle', rule, 'storageClass'],
    hint: `use one of ${Object.keys(transitionClasses).join(', ')}`,
  });
}
