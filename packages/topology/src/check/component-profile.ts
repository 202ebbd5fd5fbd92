import type { Provider } from '../model/regions.ts';
import type { Cdn, Component, Dns, MySql, Postgres, Waf } from '../model/schema.ts';
import type { CheckContext } from './context.ts';
import { type PublishedSla, publishedSlas } from './published-slas.ts';

/**
 * What the availability, capacity and SPOF passes need to know of one component: its availability (published SLA
 * or the model's override), whether it survives losing one instance or zone, and its throughput limit.
 */
export interface ComponentProfile {
  readonly availability: PublishedSla;
  /** True when one instance or one zone can fail without taking the component down. */
  readonly zoneRedundant: boolean;
  /** Why it is or is not redundant, for messages. */
  readonly redundancy: string;
  /** Requests per second it can serve; Infinity when the model gives no limit. */
  readonly maxRps: number;
  /**
   * Run on the design's own instances (pods, VMs, brokers), not by a provider: its capacity is the sum of those
   * instances, so a lost zone takes the share of them it held (docs/decisions/030-self-run-capacity.md). A managed
   * service's capacity is the provider's, who keeps it across zones; clients and external services are outside.
   */
  readonly selfRun: boolean;
  /**
   * For a self-run component, the instances that carry `maxRps` at peak (`replicas.max`, 1 when not stated);
   * undefined when its instances follow the zones rather than a count (a DaemonSet's pod per node, a Kafka
   * cluster's brokers), or when it is not self-run.
   */
  readonly instances: number | undefined;
}

// One entry per provider the schema accepts, so a provider added to the model without its SLA does not compile.
const dnsSlas: Record<Dns['provider'], PublishedSla> = {
  route53: publishedSlas.route53,
  cloudflare: publishedSlas.cloudflare,
  'cloud-dns': publishedSlas.cloudDns,
  'azure-dns': publishedSlas.azureDns,
};
const cdnSlas: Record<Cdn['provider'], PublishedSla> = {
  cloudfront: publishedSlas.cloudfront,
  cloudflare: publishedSlas.cloudflare,
  'cloud-cdn': publishedSlas.cloudCdn,
  'azure-front-door': publishedSlas.azureFrontDoor,
  fastly: publishedSlas.cdnVendor,
  akamai: publishedSlas.cdnVendor,
};
const wafSlas: Record<Waf['provider'], PublishedSla> = {
  'aws-waf': publishedSlas.awsWaf,
  cloudflare: publishedSlas.cloudflare,
  'cloud-armor': publishedSlas.cloudArmor,
  'azure-waf': publishedSlas.azureWaf,
};

// Self-run compute per cloud: instances over two or more zones, and one instance (or all in one zone).
const computeSlas: Record<Provider, { multiZone: PublishedSla; single: PublishedSla }> = {
  aws: { multiZone: publishedSlas.computeMultiZone, single: publishedSlas.computeSingleZone },
  azure: { multiZone: publishedSlas.azureVmZones, single: publishedSlas.azureVmSingle },
  gcp: { multiZone: publishedSlas.gceMultiZone, single: publishedSlas.gceSingle },
};

// Managed relational databases per platform: the figure with a standby in another zone, and without one.
type RelationalPlatform = Postgres['platform'] | MySql['platform'];
const relationalSlas: Record<RelationalPlatform, { multiZone: PublishedSla; single: PublishedSla } | undefined> = {
  rds: { multiZone: publishedSlas.rdsMultiAz, single: publishedSlas.rdsSingleAz },
  aurora: { multiZone: publishedSlas.auroraMultiAz, single: publishedSlas.rdsSingleAz },
  // Cloud SQL's SLA covers HA instances only: without HA the figure is an assumption.
  'cloud-sql': { multiZone: publishedSlas.cloudSqlHa, single: publishedSlas.unknownManaged },
  'azure-flexible': { multiZone: publishedSlas.azureFlexibleZoneHa, single: publishedSlas.azureFlexibleNoHa },
  cnpg: undefined,
  'self-managed': undefined,
};

const streamSlas: Record<Exclude<Extract<Component, { kind: 'stream' }>['engine'], 'kafka'>, PublishedSla> = {
  msk: publishedSlas.stream,
  kinesis: publishedSlas.stream,
  confluent: publishedSlas.confluent,
  'event-hubs': publishedSlas.eventHubs,
  pubsub: publishedSlas.pubsub,
};

/** The profile of one component in its context. */
export function componentProfile(component: Component, context: CheckContext): ComponentProfile {
  const zones = context.zonesOf(component.id);
  const region = context.regionOf(component.id);
  const spread = zones.length > 0 ? zones.length : region === undefined ? 0 : context.regionZones(region).length;
  const pinnedToOneZone = zones.length === 1;
  const replicas = component.replicas?.min ?? 1;
  // The cloud the component runs in decides whose compute figures apply: an Azure VM is never held to an AWS SLA.
  const cloud = region === undefined ? undefined : context.regions.get(region)?.provider;
  const compute = computeSlas[cloud ?? 'aws'];
  type Base = Pick<ComponentProfile, 'zoneRedundant' | 'redundancy' | 'selfRun' | 'instances'> & { sla: PublishedSla };
  const selfRun = (what: string): Base => {
    const daemon = component.kind === 'workload' && component.workloadKind === 'daemonset';
    const redundant = (replicas >= 2 || daemon) && spread >= 2 && !pinnedToOneZone;
    return {
      sla: redundant ? compute.multiZone : compute.single,
      zoneRedundant: redundant,
      selfRun: true,
      // maxRps is what the component serves at full size: its largest replica count carries it.
      instances: daemon ? undefined : (component.replicas?.max ?? 1),
      redundancy: redundant
        ? `${daemon ? 'a pod per node' : `${replicas} replicas`} over ${spread} zones`
        : pinnedToOneZone
          ? `${what} pinned to one zone (${zones[0]})`
          : replicas < 2
            ? `${replicas} ${what} replica${replicas === 1 ? '' : 's'}`
            : `${replicas} replicas in one zone`,
    };
  };
  const managed = (sla: PublishedSla, multiZoneByDesign = true): Base => ({
    sla,
    zoneRedundant: multiZoneByDesign && !pinnedToOneZone,
    selfRun: false,
    instances: undefined,
    redundancy: pinnedToOneZone ? `pinned to one zone (${zones[0]})` : 'managed across zones by the provider',
  });
  const database = (multiAz: boolean, multi: PublishedSla, single: PublishedSla): Base => {
    const redundant = multiAz && !pinnedToOneZone;
    return {
      sla: redundant ? multi : single,
      zoneRedundant: redundant,
      selfRun: false,
      instances: undefined,
      redundancy: redundant ? 'Multi-AZ standby' : 'a single instance in one zone (no Multi-AZ standby)',
    };
  };

  // Outside the system (clients, third parties) or replicated by the provider across regions: no zone of ours.
  const outside = { selfRun: false, instances: undefined } as const;
  let base: Base;
  let maxRps = component.capacity?.maxRps ?? Number.POSITIVE_INFINITY;
  switch (component.kind) {
    case 'client':
      base = { sla: publishedSlas.client, zoneRedundant: true, redundancy: 'outside the system', ...outside };
      break;
    case 'external':
      base = {
        sla: component.sla
          ? {
              percent: component.sla.availability,
              source: `${component.vendor} declared SLA: ${component.sla.availability}%`,
            }
          : publishedSlas.externalUndeclared,
        zoneRedundant: true,
        redundancy: `run by ${component.vendor}`,
        ...outside,
      };
      break;
    case 'dns':
      base = managed(dnsSlas[component.provider]);
      break;
    case 'cdn':
      base = managed(cdnSlas[component.provider]);
      break;
    case 'waf':
      base = managed(wafSlas[component.provider]);
      break;
    case 'apiGateway':
      if (component.throttle) maxRps = Math.min(maxRps, component.throttle.rps);
      base =
        component.provider === 'kong' || component.provider === 'envoy'
          ? selfRun('gateway')
          : managed(
              component.provider === 'aws-api-gateway' ? publishedSlas.apiGateway : publishedSlas.otherApiGateway,
            );
      break;
    case 'loadBalancer':
      base = managed(
        component.type === 'gclb'
          ? publishedSlas.cloudLoadBalancing
          : component.type === 'azure-lb'
            ? publishedSlas.otherLb
            : publishedSlas.elb,
      );
      break;
    case 'ingress':
      base =
        component.className === 'alb'
          ? managed(publishedSlas.elb)
          : component.className === 'gce'
            ? managed(publishedSlas.cloudLoadBalancing)
            : selfRun('ingress controller');
      break;
    case 'kubernetesCluster':
      if (component.distribution === 'aks')
        base = managed(spread >= 2 ? publishedSlas.aksZones : publishedSlas.aksNoZones);
      else if (component.distribution === 'gke')
        base = managed(spread >= 2 ? publishedSlas.gkeRegional : publishedSlas.gkeZonal);
      else base = managed(publishedSlas.kubernetesControlPlane, component.distribution !== 'self-managed');
      break;
    case 'workload':
    case 'queryEngine':
    case 'observability':
      if (component.kind === 'queryEngine' && component.engine === 'athena')
        base = managed(publishedSlas.analyticsService);
      else if (component.kind === 'observability' && component.product === 'cloudwatch')
        base = managed(publishedSlas.cloudwatch);
      else base = selfRun(component.kind === 'workload' ? 'pod' : 'instance');
      break;
    case 'service':
      base =
        component.runtime === 'lambda'
          ? managed(publishedSlas.lambda)
          : component.runtime === 'cloud-functions' || component.runtime === 'cloud-run'
            ? managed(publishedSlas.cloudRun)
            : component.runtime === 'app-service'
              ? managed(publishedSlas.appService)
              : selfRun('instance');
      break;
    case 'postgres':
    case 'mysql': {
      const published = relationalSlas[component.platform];
      if (published === undefined) {
        const own = selfRun('database instance');
        base = own.zoneRedundant
          ? {
              ...own,
              sla: {
                percent: publishedSlas.rdsMultiAz.percent,
                source: `self-run HA ${component.kind === 'mysql' ? 'MySQL' : 'PostgreSQL'}, held to the RDS Multi-AZ figure: ${publishedSlas.rdsMultiAz.percent}%`,
              },
            }
          : own;
      } else base = database(component.multiAz, published.multiZone, published.single);
      break;
    }
    case 'globalDatabase': {
      const regions = new Set(component.regions).size;
      const sla =
        component.service === 'dynamodb'
          ? regions >= 2
            ? publishedSlas.dynamodbGlobal
            : publishedSlas.dynamodbRegional
          : component.service === 'spanner'
            ? regions >= 2
              ? publishedSlas.spannerMultiRegion
              : publishedSlas.spannerRegional
            : regions >= 2 && component.writeRegions === 'multi'
              ? publishedSlas.cosmosMultiWrite
              : publishedSlas.cosmosSingleWrite;
      base = {
        sla,
        zoneRedundant: true,
        redundancy: `replicated by ${component.service} over ${regions} region${regions === 1 ? '' : 's'}`,
        ...outside,
      };
      break;
    }
    case 'redis':
      base =
        component.platform === 'self-managed'
          ? selfRun('redis node')
          : component.platform === 'azure-cache'
            ? database(component.multiAz, publishedSlas.azureCacheZones, publishedSlas.azureCache)
            : component.platform === 'memorystore'
              ? database(component.multiAz, publishedSlas.memorystore, publishedSlas.unknownManaged)
              : database(component.multiAz, publishedSlas.elasticacheMultiAz, publishedSlas.elasticacheSingleAz);
      break;
    case 'queue':
      base =
        component.provider === 'rabbitmq'
          ? selfRun('broker')
          : managed(
              component.provider === 'sqs'
                ? publishedSlas.sqs
                : component.provider === 'pubsub'
                  ? publishedSlas.pubsub
                  : publishedSlas.otherQueue,
            );
      break;
    case 'stream':
      if (component.engine === 'kafka') {
        const factor = component.replicationFactor ?? 1;
        const redundant = factor >= 2 && spread >= 2 && !pinnedToOneZone;
        base = {
          sla: redundant ? compute.multiZone : compute.single,
          zoneRedundant: redundant,
          redundancy: redundant ? `replication factor ${factor} over ${spread} zones` : `replication factor ${factor}`,
          // Self-run brokers, as many per zone as the cluster needs: a lost zone takes its zone's share.
          selfRun: true,
          instances: undefined,
        };
      } else base = managed(streamSlas[component.engine]);
      break;
    case 'objectStore':
      base = managed(
        component.provider === 'gcs'
          ? publishedSlas.gcsRegional
          : component.provider === 'azure-blob'
            ? publishedSlas.azureStorage
            : component.storageClass === undefined || component.storageClass === 'standard'
              ? publishedSlas.s3Standard
              : publishedSlas.s3Infrequent,
      );
      break;
    case 'deltaTable':
      base = {
        sla: { percent: 100, source: 'data in its object store (counted there)' },
        zoneRedundant: true,
        redundancy: 'stored in its object store',
        ...outside,
      };
      break;
    case 'catalog':
      base = component.provider === 'glue' ? managed(publishedSlas.analyticsService) : selfRun('catalog');
      break;
    case 'secrets':
      base = managed(
        component.provider === 'secrets-manager'
          ? publishedSlas.secretsManager
          : component.provider === 'key-vault'
            ? publishedSlas.keyVault
            : publishedSlas.otherManaged,
      );
      break;
    case 'containerRegistry':
      base = managed(
        component.provider === 'ecr'
          ? publishedSlas.ecr
          : component.provider === 'acr'
            ? publishedSlas.acr
            : publishedSlas.unknownManaged,
      );
      break;
  }
  const availability =
    component.availability !== undefined
      ? { percent: component.availability, source: `declared in the model: ${component.availability}%` }
      : withWafPolicy(component, base.sla);
  return {
    availability,
    zoneRedundant: base.zoneRedundant,
    redundancy: base.redundancy,
    maxRps,
    selfRun: base.selfRun,
    instances: base.instances,
  };
}

/**
 * An entry point's own SLA with its WAF policy's in series: a WAF is the same factor whether it is drawn in front of
 * the entry point or declared on it (docs/decisions/032-waf-one-factor.md). A WAF its host's SLA covers (100 %)
 * changes nothing.
 */
function withWafPolicy(component: Component, host: PublishedSla): PublishedSla {
  if ((component.kind !== 'cdn' && component.kind !== 'loadBalancer') || component.waf === undefined) return host;
  const waf = wafSlas[component.waf.provider];
  if (waf.percent >= 100) return host;
  return {
    ...host,
    // Rounded to a millionth of a percent so `--explain` prints 99.980001%, not the float's 99.98000099999999%.
    percent: Math.round(host.percent * waf.percent * 1e4) / 1e6,
    source: `${host.source}, with its WAF policy in series (${waf.source})`,
  };
}
