import { type Component, placementOf, type Region, type Topology } from '@meridian/topology';
import { globalRegion } from '../aws/global-region.ts';
import { awsName } from '../aws/names.ts';
import { isOnAws } from '../aws/platform.ts';
import { EmitError } from '../errors.ts';
import type { TerraformDocument, TfAddress, TfObject } from './document.ts';
import { tfName } from './names.ts';

/** An AWS region of the model and the provider alias that manages it. */
export interface AwsRegion {
  readonly region: Region;
  /** The provider alias, from the region id: `eu_west_1`. */
  readonly alias: string;
  /** The `provider` meta-argument of a resource in this region: `aws.eu_west_1`. */
  readonly provider: string;
}

/**
 * Where DNS and CDNs reach an emitted component: an alias target (load balancer, CloudFront: a DNS name and its
 * hosted zone) or a host name a CNAME can point at (a database endpoint).
 */
export type Endpoint =
  | { readonly kind: 'alias'; readonly name: string; readonly zoneId: string }
  | { readonly kind: 'host'; readonly name: string };

/** The network of one region: its VPC and its subnets per tier, one per zone (in `zones` order). */
export interface RegionNetwork {
  readonly vpc: TfAddress;
  /** The VPC's CIDR: a literal from the model, or a variable reference. */
  readonly cidr: string;
  readonly zones: readonly string[];
  readonly subnets: Readonly<Record<'public' | 'private' | 'data', readonly TfAddress[]>>;
}

/**
 * What the parts of the Terraform emitter share while they build one configuration: the model, the document,
 * the provider alias of each AWS region, each region's network, and the security group of each component.
 */
export class TerraformContext {
  readonly regions: ReadonlyMap<string, AwsRegion>;
  readonly networks = new Map<string, RegionNetwork>();
  /** The security group id (a `${...}` reference) guarding each component that has one, by component id. */
  readonly securityGroups = new Map<string, string>();
  /** The DNS endpoint of each emitted component that serves traffic (load balancers, CloudFront, databases). */
  readonly endpoints = new Map<string, Endpoint>();
  private readonly names = new Map<string, string>();
  private readonly keys = new Map<string, TfAddress>();
  private globalAlias: AwsRegion | undefined;

  constructor(
    readonly model: Topology,
    readonly doc: TerraformDocument,
  ) {
    const regions = new Map<string, AwsRegion>();
    for (const region of model.regions) {
      if (region.provider !== 'aws') continue;
      const alias = this.name(region.id);
      regions.set(region.id, { region, alias, provider: `aws.${alias}` });
    }
    this.regions = regions;
  }

  /**
   * The Terraform name of a model id; two ids that would share a name (`a-b` and `a_b`) are refused rather than
   * merged into one resource.
   */
  name(id: string): string {
    const name = tfName(id);
    const owner = this.names.get(name);
    if (owner !== undefined && owner !== id) {
      throw new EmitError('terraform-name-collision', `'${owner}' and '${id}' both become the Terraform name ${name}`, {
        path: ['components'],
        hint: 'rename one of them so they differ in more than punctuation',
      });
    }
    this.names.set(name, id);
    return name;
  }

  /** An AWS resource name for a component (RDS identifiers, cluster names): `eu-west-1-orders-db`. */
  awsName(id: string, max?: number): string {
    return awsName(id, max);
  }

  /** The AWS region a component runs in, or undefined for global components and those in other clouds. */
  regionOf(component: Component | string): AwsRegion | undefined {
    const region = placementOf(this.model, component).region;
    return region === undefined ? undefined : this.regions.get(region);
  }

  /** The components of the model its kind's AWS service runs, placed directly in an AWS region (not in a cluster). */
  regionalOnAws<K extends Component['kind']>(
    kind: K,
  ): { component: Extract<Component, { kind: K }>; region: AwsRegion }[] {
    const out: { component: Extract<Component, { kind: K }>; region: AwsRegion }[] = [];
    for (const component of this.model.components) {
      if (component.kind !== kind || !isOnAws(component)) continue;
      const placement = placementOf(this.model, component);
      if (placement.cluster !== undefined) continue;
      const region = placement.region === undefined ? undefined : this.regions.get(placement.region);
      if (region) out.push({ component: component as Extract<Component, { kind: K }>, region });
    }
    return out;
  }

  /** The global components of a kind its AWS service runs (Route 53, CloudFront, WAF). */
  globalOnAws<K extends Component['kind']>(kind: K): Extract<Component, { kind: K }>[] {
    return this.model.components.filter(
      (c): c is Extract<Component, { kind: K }> =>
        c.kind === kind && isOnAws(c) && placementOf(this.model, c).region === undefined,
    );
  }

  /** The component of an id. */
  component(id: string): Component | undefined {
    return this.model.components.find((c) => c.id === id);
  }

  /** The `tags` of a resource made for a model component: its id, so every resource can be traced back. */
  tags(component: string): TfObject {
    return { 'meridian:component': component };
  }

  /** The `tags` of a resource shared by a region (its VPC, subnets, key). */
  regionTags(region: AwsRegion, role: string): TfObject {
    return { 'meridian:region': region.region.id, Name: `${this.model.name}-${region.region.id}-${role}` };
  }

  /**
   * The provider for global services that AWS serves from us-east-1: the alias of a model region there, or an
   * extra `global` alias when the model has none.
   */
  globalRegion(): AwsRegion {
    const region = globalRegion(this.model);
    const own = this.regions.get(region.id);
    if (own) return own;
    this.globalAlias ??= { region, alias: 'global', provider: 'aws.global' };
    return this.globalAlias;
  }

  /** Every provider alias to declare: one per AWS region, plus `global` when it was needed. */
  providerAliases(): AwsRegion[] {
    return [...this.regions.values(), ...(this.globalAlias ? [this.globalAlias] : [])];
  }

  /** The customer managed KMS key of a region (made on first use) for encryption at rest of its data stores. */
  kmsKey(region: AwsRegion): TfAddress {
    let key = this.keys.get(region.region.id);
    if (!key) {
      key = this.doc.resource('keys.tf.json', 'aws_kms_key', region.alias, {
        provider: region.provider,
        description: `${this.model.name}: encryption at rest of the data stores in ${region.region.id}`,
        enable_key_rotation: true,
        deletion_window_in_days: 30,
        tags: this.regionTags(region, 'data'),
      });
      this.doc.resource('keys.tf.json', 'aws_kms_alias', region.alias, {
        provider: region.provider,
        name: `alias/${awsName(`${this.model.name}-${region.region.id}-data`)}`,
        target_key_id: key.attr('key_id'),
      });
      this.keys.set(region.region.id, key);
    }
    return key;
  }

  /** The network of an AWS region; every region with something in a VPC has one (network.ts builds them first). */
  network(region: AwsRegion): RegionNetwork {
    const network = this.networks.get(region.region.id);
    if (!network) throw new Error(`terraform emitter: no network for ${region.region.id}`);
    return network;
  }
}
