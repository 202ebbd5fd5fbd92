import type { KubernetesObject } from '@kubernetes/client-node';

/** One object the emitter writes, with the model component it comes from (its YAML comment says so). */
export interface Manifest {
  /** The model component the object is made for (a workload, a namespace's cluster, an ingress, a secrets store). */
  readonly component: string;
  /** Where in the cluster's folder it goes, e.g. `platform/discovery-service.yaml`. */
  readonly file: string;
  readonly object: KubernetesObject;
}
