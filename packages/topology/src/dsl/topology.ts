import type { z } from 'zod';
import { parseTopology } from '../model/parse.ts';
import {
  type AwsRegionCode,
  type AzureRegionCode,
  findProviderRegion,
  type GcpRegionCode,
  type Provider,
} from '../model/regions.ts';
import type {
  Region,
  RegionNetworkSchema,
  RegionRecoverySchema,
  SlaSchema,
  SourceLocation,
  Topology,
} from '../model/schema.ts';
import type { FlowOptions } from './options.ts';
import { type DataClassRef, issue, type Ref, toData } from './refs.ts';
import { type ComponentFactories, type ComponentSink, type RegionalFactories, Scope } from './scope.ts';
import { captureSource } from './source.ts';

/** The role a region plays. */
export type RegionRole = Region['role'];

/** Options of `t.region(...)` and `t.regions(...)`. */
export interface RegionOptions {
  /** Defaults to 'primary' for the first region declared and 'secondary' for the others. */
  readonly role?: RegionRole;
  /** Defaults to the jurisdiction of the provider's region (eu-west-1 is EU, eu-west-2 UK, ap-south-1 IN, ...). */
  readonly jurisdiction?: string;
  /** Zone names (`['eu-west-1a', 'eu-west-1b']`) or how many of the region's published zones to use (`3`). */
  readonly zones?: readonly string[] | number;
  readonly cidr?: string;
  /** Internet gateway, NAT gateways and subnet tiers of the region's VPC. */
  readonly network?: z.input<typeof RegionNetworkSchema>;
  /** Defaults to the code; set it to use one region code twice. */
  readonly id?: string;
  /** Its disaster-recovery posture, e.g. `{ posture: 'pilot-light', failover: 'manual' }`. */
  readonly recovery?: z.input<typeof RegionRecoverySchema>;
}

/** A region of the topology: its facts, and the factories of components placed in it (ids `<region id>/<name>`). */
export interface RegionScope extends RegionalFactories {
  readonly id: string;
  readonly code: string;
  readonly provider: Provider;
  readonly role: RegionRole;
  readonly jurisdiction: string;
  readonly zones: readonly string[];
  /** Factories placing components in some zones of this region, e.g. `r.inZones(['us-east-1a']).postgres('db')`. */
  inZones(zones: readonly string[]): RegionalFactories;
}

/** Options of a data class: where it may live, and what of it may leave as aggregates. */
export interface DataClassOptions {
  readonly jurisdictions?: readonly string[];
  readonly description?: string;
  readonly export?: { readonly aggregatesOnly: true; readonly minGroupSize: number };
}

/** The builder handed to `topology(name, (t) => ...)`; components made on it directly are global. */
export interface TopologyBuilder extends ComponentFactories {
  /** What the system is. */
  description(text: string): this;
  /** Who owns it (teams, people). */
  owners(...owners: string[]): this;
  /** Service level objectives, e.g. `t.sla({ availability: 99.99, rtoSeconds: 300, rpoSeconds: 60 })`. */
  sla(sla: z.input<typeof SlaSchema>): this;
  /** The environment this topology describes, and every environment the design keeps, e.g. `t.environment('production', ['development', 'staging', 'production'])`. */
  environment(name: string, all?: readonly string[]): this;
  /**
   * A data class and where it may live, e.g. `t.dataClass('eu-personal', { jurisdictions: ['EU'] })`; `export` lets
   * aggregates of groups of at least minGroupSize rows leave: `export: { aggregatesOnly: true, minGroupSize: 10 }`.
   */
  dataClass(id: string, options?: DataClassOptions): DataClassRef;
  /** An AWS region, e.g. `t.region('eu-west-1', { role: 'secondary' })`. */
  region(code: AwsRegionCode, options?: RegionOptions): RegionScope;
  /** A GCP or Azure region, e.g. `t.region('europe-west1', { provider: 'gcp' })`. */
  region(
    code: GcpRegionCode | AzureRegionCode,
    options: RegionOptions & { readonly provider: 'gcp' | 'azure' },
  ): RegionScope;
  /** Several AWS regions to loop over; options may depend on the region: `(code, i) => ({ role: i === 0 ? 'primary' : 'dr' })`. */
  regions(
    codes: readonly AwsRegionCode[],
    options?: RegionOptions | ((code: AwsRegionCode, index: number) => RegionOptions),
  ): RegionScope[];
  /** A flow from one component to another; returns the builder, so flows chain: `t.flow(dns, api).flow(api, vote)`. */
  flow(from: Ref, to: Ref, options?: FlowOptions): this;
  /** Accepts a checker finding for some components (all when the list is empty), with the reason. */
  suppress(rule: string, components: readonly Ref[], reason: string): this;
}

class Builder extends Scope implements TopologyBuilder {
  readonly regionList: Record<string, unknown>[] = [];
  readonly components: Record<string, unknown>[];
  readonly flows: Record<string, unknown>[] = [];
  readonly dataClasses: Record<string, unknown>[] = [];
  readonly suppressions: Record<string, unknown>[] = [];
  readonly meta: Record<string, unknown> = {};
  private readonly flowIds = new Map<string, number>();

  constructor() {
    const components: Record<string, unknown>[] = [];
    super({ add: (component) => components.push(component) }, 'global', '');
    this.components = components;
  }

  description(text: string): this {
    this.meta.description = text;
    return this;
  }
  owners(...owners: string[]): this {
    this.meta.owners = [...((this.meta.owners as string[] | undefined) ?? []), ...owners];
    return this;
  }
  sla(sla: z.input<typeof SlaSchema>): this {
    this.meta.sla = { ...(this.meta.sla as object | undefined), ...sla };
    return this;
  }
  environment(name: string, all?: readonly string[]): this {
    this.meta.environment = name;
    if (all !== undefined) this.meta.environments = [...all];
    return this;
  }
  dataClass(id: string, options: DataClassOptions = {}): DataClassRef {
    this.dataClasses.push({ id, ...(toData(options) as object) });
    return issue({ id, jurisdictions: options.jurisdictions });
  }

  region(code: string, options: RegionOptions & { readonly provider?: Provider } = {}): RegionScope {
    return this.addRegion(code, options, captureSource());
  }
  regions(
    codes: readonly AwsRegionCode[],
    options?: RegionOptions | ((code: AwsRegionCode, index: number) => RegionOptions),
  ): RegionScope[] {
    const source = captureSource();
    return codes.map((code, index) =>
      this.addRegion(code, typeof options === 'function' ? options(code, index) : (options ?? {}), source),
    );
  }

  private addRegion(
    code: string,
    options: RegionOptions & { readonly provider?: Provider },
    source: SourceLocation | undefined,
  ): RegionScope {
    const provider = options.provider ?? 'aws';
    const published = findProviderRegion(provider, code);
    const zones =
      typeof options.zones === 'number' ? (published?.zones.slice(0, options.zones) ?? []) : [...(options.zones ?? [])];
    const region = {
      id: options.id ?? code,
      provider,
      code,
      role: options.role ?? (this.regionList.length === 0 ? 'primary' : 'secondary'),
      // An unknown code is reported by the schema (with the nearest valid code); this placeholder keeps it the only issue.
      jurisdiction: options.jurisdiction ?? published?.jurisdiction ?? 'UNKNOWN',
      zones,
      ...(options.cidr !== undefined ? { cidr: options.cidr } : {}),
      ...(options.network !== undefined ? { network: toData(options.network) } : {}),
      ...(options.recovery !== undefined ? { recovery: toData(options.recovery) } : {}),
      ...(source ? { source } : {}),
    } as const;
    this.regionList.push(region);
    return new RegionalScope(this.sink, region);
  }

  flow(from: Ref, to: Ref, options: FlowOptions = {}): this {
    const source = captureSource();
    const { carries, id, ...rest } = options;
    const base = `${from.id}->${to.id}`;
    const count = (this.flowIds.get(base) ?? 0) + 1;
    this.flowIds.set(base, count);
    this.flows.push({
      id: id ?? (count === 1 ? base : `${base}#${count}`),
      from: from.id,
      to: to.id,
      ...(toData(rest) as object),
      ...(carries ? { dataClasses: carries.map((c) => c.id) } : {}),
      ...(source ? { source } : {}),
    });
    return this;
  }

  suppress(rule: string, components: readonly Ref[], reason: string): this {
    this.suppressions.push({ rule, components: components.map((c) => c.id), reason });
    return this;
  }
}

class RegionalScope extends Scope implements RegionScope {
  readonly id: string;
  readonly code: string;
  readonly provider: Provider;
  readonly role: RegionRole;
  readonly jurisdiction: string;
  readonly zones: readonly string[];

  constructor(
    sink: ComponentSink,
    region: {
      id: string;
      code: string;
      provider: Provider;
      role: RegionRole;
      jurisdiction: string;
      zones: readonly string[];
    },
  ) {
    super(sink, { region: region.id }, `${region.id}/`);
    this.id = region.id;
    this.code = region.code;
    this.provider = region.provider;
    this.role = region.role;
    this.jurisdiction = region.jurisdiction;
    this.zones = region.zones;
  }

  inZones(zones: readonly string[]): RegionalFactories {
    return new Scope(this.sink, { region: this.id, zones: [...zones] }, `${this.id}/`);
  }
}

/**
 * Declares a topology in code and returns the validated model (throws a MeridianError listing every issue,
 * each pointing at the DSL call that declared the element).
 *
 * @example
 * export default topology('shop', (t) => {
 *   const eu = t.region('eu-west-1', { role: 'primary' });
 *   const db = eu.postgres('orders', { multiAz: true });
 *   const api = eu.kubernetesCluster('eks').deployment('api', { image: 'api:1.0', replicas: { min: 3, max: 30 } });
 *   t.flow(api, db, { kind: 'write' });
 * });
 */
export function topology(name: string, build: (t: TopologyBuilder) => void): Topology {
  const source = captureSource();
  const t = new Builder();
  build(t);
  const data = {
    name,
    ...t.meta,
    dataClasses: t.dataClasses,
    suppressions: t.suppressions,
    regions: t.regionList,
    components: t.components,
    flows: t.flows,
  };
  return parseTopology(data, { file: source?.file });
}
