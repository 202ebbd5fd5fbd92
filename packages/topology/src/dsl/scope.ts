import type { ComponentKind, Placement, SourceLocation } from '../model/schema.ts';
import type { ComponentOptions, OptionsArg, WorkloadOptions } from './options.ts';
import { issue, type Ref, toData } from './refs.ts';
import { captureSource } from './source.ts';

/** Factories of every component kind that can live in a scope (the topology, a region, some zones, a cluster). */
export interface ComponentFactories {
  /** DNS, e.g. `t.dns('dns', { routing: 'failover', healthCheck: { intervalSeconds: 10, failureThreshold: 3 } })`. */
  dns(name: string, options: ComponentOptions<'dns'>): Ref<'dns'>;
  /** A CDN. */
  cdn(name: string, ...options: OptionsArg<ComponentOptions<'cdn'>>): Ref<'cdn'>;
  /** A WAF. */
  waf(name: string, ...options: OptionsArg<ComponentOptions<'waf'>>): Ref<'waf'>;
  /** An API gateway, e.g. `r.apiGateway('api', { maxRps: 100_000 })`. */
  apiGateway(name: string, ...options: OptionsArg<ComponentOptions<'apiGateway'>>): Ref<'apiGateway'>;
  /** A load balancer, e.g. `r.loadBalancer('alb', { type: 'alb' })`. */
  loadBalancer(name: string, options: ComponentOptions<'loadBalancer'>): Ref<'loadBalancer'>;
  /** A Kubernetes ingress, e.g. `eks.ingress('main', { className: 'alb', rules: [{ path: '/vote', backend: vote }] })`. */
  ingress(name: string, options: ComponentOptions<'ingress'>): Ref<'ingress'>;
  /** Compute outside Kubernetes (Lambda, Fargate, VMs). */
  service(name: string, options: ComponentOptions<'service'>): Ref<'service'>;
  /** PostgreSQL, e.g. `eu.postgres('db', { role: 'replica', replicaOf: primaryDb })`. */
  postgres(name: string, ...options: OptionsArg<ComponentOptions<'postgres'>>): Ref<'postgres'>;
  /** MySQL, e.g. `r.mysql('orders', { platform: 'azure-flexible', multiAz: true })`. */
  mysql(name: string, ...options: OptionsArg<ComponentOptions<'mysql'>>): Ref<'mysql'>;
  /** A globally distributed database, e.g. `t.globalDatabase('cosmos', { service: 'cosmos-db', regions: ['westeurope', 'northeurope'], consistency: 'session' })`. */
  globalDatabase(name: string, options: ComponentOptions<'globalDatabase'>): Ref<'globalDatabase'>;
  /** Redis. */
  redis(name: string, ...options: OptionsArg<ComponentOptions<'redis'>>): Ref<'redis'>;
  /** A queue, e.g. `r.queue('votes', { dlq: r.queue('votes-dlq') })`. */
  queue(name: string, ...options: OptionsArg<ComponentOptions<'queue'>>): Ref<'queue'>;
  /** A stream (Kafka, MSK, Kinesis). */
  stream(name: string, options: ComponentOptions<'stream'>): Ref<'stream'>;
  /** An object store bucket. */
  objectStore(name: string, options: ComponentOptions<'objectStore'>): Ref<'objectStore'>;
  /** A Delta table in an object store, e.g. `r.deltaTable('telemetry', { store: lake, path: 'delta/telemetry' })`. */
  deltaTable(name: string, options: ComponentOptions<'deltaTable'>): Ref<'deltaTable'>;
  /** A table catalog (Glue, Hive). */
  catalog(name: string, options: ComponentOptions<'catalog'>): Ref<'catalog'>;
  /** A query engine, e.g. `t.queryEngine('datafusion', { engine: 'datafusion', reads: [table] })`. */
  queryEngine(name: string, options: ComponentOptions<'queryEngine'>): Ref<'queryEngine'>;
  /** A secrets store. */
  secrets(name: string, ...options: OptionsArg<ComponentOptions<'secrets'>>): Ref<'secrets'>;
  /** A container registry. */
  containerRegistry(
    name: string,
    ...options: OptionsArg<ComponentOptions<'containerRegistry'>>
  ): Ref<'containerRegistry'>;
  /** Metrics, logs or traces tooling, e.g. `t.observability('grafana', { product: 'grafana' })`. */
  observability(name: string, options: ComponentOptions<'observability'>): Ref<'observability'>;
  /** A traffic source, e.g. `t.client('users', { clientKind: 'users', population: 300_000_000 })`. */
  client(name: string, options: ComponentOptions<'client'>): Ref<'client'>;
  /** A vendor service, e.g. `t.external('auth0', { vendor: 'Auth0', sla: { availability: 99.99 } })`. */
  external(name: string, options: ComponentOptions<'external'>): Ref<'external'>;
}

/** A Kubernetes cluster: a reference to it, and the scope its workloads are made in. */
export interface ClusterScope extends Ref<'kubernetesCluster'>, ComponentFactories {
  /** A Deployment in this cluster, e.g. `eks.deployment('vote', { image: 'vote:1.4.2', replicas: { min: 10, max: 100 } })`. */
  deployment(name: string, options: WorkloadOptions): Ref<'workload'>;
  /** A StatefulSet in this cluster. */
  statefulSet(name: string, options: WorkloadOptions): Ref<'workload'>;
  /** A DaemonSet in this cluster (one pod per node). */
  daemonSet(name: string, options: WorkloadOptions): Ref<'workload'>;
}

/** A scope inside a region (the region itself, or some of its zones): clusters can be made here. */
export interface RegionalFactories extends ComponentFactories {
  /** A Kubernetes cluster, e.g. `r.kubernetesCluster('eks', { nodeGroups: [...] })`; make workloads from the value it returns. */
  kubernetesCluster(name: string, ...options: OptionsArg<ComponentOptions<'kubernetesCluster'>>): ClusterScope;
}

/** Collects components in declaration order; shared by every scope of one topology. */
export interface ComponentSink {
  add(component: Record<string, unknown>): void;
}

type AnyOptions = Record<string, unknown> & { maxRps?: number; capacity?: Record<string, unknown> };

/** The one implementation behind every scope; the interfaces above decide which factories a scope shows. */
export class Scope implements RegionalFactories {
  constructor(
    protected readonly sink: ComponentSink,
    protected readonly placement: Placement,
    /** Prefix of the ids made here: '' (global), '<region>/' or '<cluster id>/'. */
    protected readonly prefix: string,
  ) {}

  protected make<K extends ComponentKind>(
    kind: K,
    name: string,
    options: object | undefined,
    source: SourceLocation | undefined,
  ): Ref<K> {
    const { maxRps, ...rest } = (options ?? {}) as AnyOptions;
    const data = toData(rest) as Record<string, unknown>;
    if (maxRps !== undefined) data.capacity = { ...(data.capacity as object | undefined), maxRps };
    const id = `${this.prefix}${name}`;
    this.sink.add({ id, kind, placement: this.placement, ...data, ...(source ? { source } : {}) });
    return issue({ id, kind });
  }

  dns(name: string, options: ComponentOptions<'dns'>): Ref<'dns'> {
    return this.make('dns', name, options, captureSource());
  }
  cdn(name: string, options?: ComponentOptions<'cdn'>): Ref<'cdn'> {
    return this.make('cdn', name, options, captureSource());
  }
  waf(name: string, options?: ComponentOptions<'waf'>): Ref<'waf'> {
    return this.make('waf', name, options, captureSource());
  }
  apiGateway(name: string, options?: ComponentOptions<'apiGateway'>): Ref<'apiGateway'> {
    return this.make('apiGateway', name, options, captureSource());
  }
  loadBalancer(name: string, options: ComponentOptions<'loadBalancer'>): Ref<'loadBalancer'> {
    return this.make('loadBalancer', name, options, captureSource());
  }
  ingress(name: string, options: ComponentOptions<'ingress'>): Ref<'ingress'> {
    return this.make('ingress', name, options, captureSource());
  }
  service(name: string, options: ComponentOptions<'service'>): Ref<'service'> {
    return this.make('service', name, options, captureSource());
  }
  postgres(name: string, options?: ComponentOptions<'postgres'>): Ref<'postgres'> {
    return this.make('postgres', name, options, captureSource());
  }
  mysql(name: string, options?: ComponentOptions<'mysql'>): Ref<'mysql'> {
    return this.make('mysql', name, options, captureSource());
  }
  globalDatabase(name: string, options: ComponentOptions<'globalDatabase'>): Ref<'globalDatabase'> {
    return this.make('globalDatabase', name, options, captureSource());
  }
  redis(name: string, options?: ComponentOptions<'redis'>): Ref<'redis'> {
    return this.make('redis', name, options, captureSource());
  }
  queue(name: string, options?: ComponentOptions<'queue'>): Ref<'queue'> {
    return this.make('queue', name, options, captureSource());
  }
  stream(name: string, options: ComponentOptions<'stream'>): Ref<'stream'> {
    return this.make('stream', name, options, captureSource());
  }
  objectStore(name: string, options: ComponentOptions<'objectStore'>): Ref<'objectStore'> {
    return this.make('objectStore', name, options, captureSource());
  }
  deltaTable(name: string, options: ComponentOptions<'deltaTable'>): Ref<'deltaTable'> {
    return this.make('deltaTable', name, options, captureSource());
  }
  catalog(name: string, options: ComponentOptions<'catalog'>): Ref<'catalog'> {
    return this.make('catalog', name, options, captureSource());
  }
  queryEngine(name: string, options: ComponentOptions<'queryEngine'>): Ref<'queryEngine'> {
    return this.make('queryEngine', name, options, captureSource());
  }
  secrets(name: string, options?: ComponentOptions<'secrets'>): Ref<'secrets'> {
    return this.make('secrets', name, options, captureSource());
  }
  containerRegistry(name: string, options?: ComponentOptions<'containerRegistry'>): Ref<'containerRegistry'> {
    return this.make('containerRegistry', name, options, captureSource());
  }
  observability(name: string, options: ComponentOptions<'observability'>): Ref<'observability'> {
    return this.make('observability', name, options, captureSource());
  }
  client(name: string, options: ComponentOptions<'client'>): Ref<'client'> {
    return this.make('client', name, options, captureSource());
  }
  external(name: string, options: ComponentOptions<'external'>): Ref<'external'> {
    return this.make('external', name, options, captureSource());
  }
  kubernetesCluster(name: string, options?: ComponentOptions<'kubernetesCluster'>): ClusterScope {
    const ref = this.make('kubernetesCluster', name, options, captureSource());
    return issue(new Cluster(this.sink, ref.id));
  }
}

/** A cluster's scope: components made here are placed in the cluster and their ids are prefixed with the cluster's. */
class Cluster extends Scope implements ClusterScope {
  readonly kind = 'kubernetesCluster' as const;
  constructor(
    sink: ComponentSink,
    readonly id: string,
  ) {
    super(sink, { cluster: id }, `${id}/`);
  }

  deployment(name: string, options: WorkloadOptions): Ref<'workload'> {
    return this.make('workload', name, { ...options, workloadKind: 'deployment' }, captureSource());
  }
  statefulSet(name: string, options: WorkloadOptions): Ref<'workload'> {
    return this.make('workload', name, { ...options, workloadKind: 'statefulset' }, captureSource());
  }
  daemonSet(name: string, options: WorkloadOptions): Ref<'workload'> {
    return this.make('workload', name, { ...options, workloadKind: 'daemonset' }, captureSource());
  }
}
