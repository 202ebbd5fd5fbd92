/**
 * Providers' published availability commitments (monthly uptime percentage below which service credits apply),
 * used as each component's availability unless the model overrides it (`availability` on the component, or an
 * external's declared `sla`). They are commitments, not measurements: real availability is usually higher, so
 * a design that misses its target on these numbers is one the provider will not stand behind.
 *
 * Sources, as published in 2025 (each service's "Service Level Agreement" page on the provider's site):
 */
export interface PublishedSla {
  /** Monthly uptime percentage, e.g. 99.95. */
  readonly percent: number;
  /** Where the number comes from (shown in `--explain`). */
  readonly source: string;
  /** The provider's SLA page, where the figure is published. */
  readonly url?: string;
  /** True when no published figure applies and the number is the checker's assumption (listed in --explain). */
  readonly assumed?: boolean;
}

function sla(percent: number, source: string, url?: string): PublishedSla {
  return url === undefined ? { percent, source } : { percent, source, url };
}

// Azure publishes its SLAs in one document, "Service Level Agreements (SLA) for Online Services"; Google Cloud one
// page per service, https://cloud.google.com/<service>/sla.
const azureSlas = 'https://www.microsoft.com/licensing/docs/view/Service-Level-Agreements-SLA-for-Online-Services';
const gcpSla = (service: string) => `https://cloud.google.com/${service}/sla`;

/** Every default the checker uses, by a stable key. */
export const publishedSlas = {
  // Amazon Route 53 SLA: "commercially reasonable efforts to make Route 53 100% available".
  route53: sla(100, 'Amazon Route 53 SLA: 100%'),
  // Cloudflare Business/Enterprise SLA: 100% uptime of the Cloudflare network.
  cloudflare: sla(100, 'Cloudflare Business SLA: 100%'),
  // Google Cloud DNS SLA: 100% for authoritative queries.
  cloudDns: sla(100, 'Cloud DNS SLA: 100%'),
  // Azure DNS SLA: 100% of valid DNS requests answered.
  azureDns: sla(100, 'Azure DNS SLA: 100%'),
  // Amazon CloudFront SLA: 99.9% monthly uptime.
  cloudfront: sla(99.9, 'Amazon CloudFront SLA: 99.9%'),
  // Cloud CDN is covered by the Cloud Load Balancing SLA: 99.99%.
  cloudCdn: sla(99.99, 'Cloud Load Balancing SLA (Cloud CDN): 99.99%'),
  // Azure Front Door SLA: 99.99%.
  azureFrontDoor: sla(99.99, 'Azure Front Door SLA: 99.99%'),
  // Fastly and Akamai publish 100% uptime commitments for their CDN edge.
  cdnVendor: sla(100, 'Fastly / Akamai CDN SLA: 100%'),
  // A WAF is the same factor however the model writes it, a component in front or a policy of its entry point
  // (docs/decisions/032-waf-one-factor.md): its own SLA where the provider publishes one, nothing where its host's
  // SLA covers it.
  // AWS WAF SLA: "at least 99.95%" Monthly Uptime Percentage for each AWS region.
  awsWaf: sla(99.95, 'AWS WAF SLA: 99.95%', 'https://aws.amazon.com/waf/sla/'),
  // Google Cloud Armor SLA: globally-scoped security policies >= 99.99% (regionally-scoped backend policies 99.9%).
  cloudArmor: sla(99.99, 'Google Cloud Armor SLA (globally-scoped security policies): 99.99%', gcpSla('armor')),
  // Azure Web Application Firewall has no SLA of its own: it runs in Azure Front Door or Application Gateway and is
  // covered by that service's SLA, so it adds no factor of its own.
  azureWaf: sla(
    100,
    "Azure WAF: covered by its host's SLA (Front Door / Application Gateway), none of its own",
    azureSlas,
  ),
  // Amazon API Gateway SLA: 99.95%.
  apiGateway: sla(99.95, 'Amazon API Gateway SLA: 99.95%'),
  // Apigee / Azure API Management (Standard+ tiers) SLA: 99.95%; self-run gateways inherit their compute.
  otherApiGateway: sla(99.95, 'Apigee / Azure APIM SLA: 99.95%'),
  // Elastic Load Balancing SLA (ALB, NLB, GWLB): 99.99%.
  elb: sla(99.99, 'Elastic Load Balancing SLA: 99.99%'),
  // Cloud Load Balancing SLA: 99.99%; Azure Load Balancer (Standard) SLA: 99.99%.
  otherLb: sla(99.99, 'Cloud Load Balancing / Azure Load Balancer SLA: 99.99%'),
  // Amazon EKS SLA: 99.95% for the Kubernetes API endpoint; GKE regional / AKS uptime SLA with zones: 99.95%.
  kubernetesControlPlane: sla(99.95, 'Amazon EKS SLA: 99.95%'),
  // Amazon Compute SLA: Region-level 99.99% when instances run in two or more AZs.
  computeMultiZone: sla(99.99, 'Amazon Compute SLA, Region-level (2+ AZs): 99.99%'),
  // Amazon Compute SLA: Instance-level 99.5% for a single instance (or all replicas in one AZ).
  computeSingleZone: sla(99.5, 'Amazon Compute SLA, Instance-level: 99.5%'),
  // AWS Lambda SLA: 99.95%.
  lambda: sla(99.95, 'AWS Lambda SLA: 99.95%'),
  // Amazon RDS SLA: Multi-AZ DB instance 99.95%.
  rdsMultiAz: sla(99.95, 'Amazon RDS SLA, Multi-AZ: 99.95%'),
  // Amazon RDS SLA: Single-AZ DB instance 99.5%.
  rdsSingleAz: sla(99.5, 'Amazon RDS SLA, Single-AZ: 99.5%'),
  // Amazon Aurora SLA: Multi-AZ DB cluster 99.99%.
  auroraMultiAz: sla(99.99, 'Amazon Aurora SLA, Multi-AZ: 99.99%'),
  // Cloud SQL SLA (Enterprise, HA configuration): 99.95%; Azure Database for PostgreSQL flexible, zone-redundant HA: 99.99%.
  cloudSqlHa: sla(99.95, 'Cloud SQL SLA, HA: 99.95%'),
  // Amazon ElastiCache SLA: Multi-AZ with automatic failover 99.99%.
  elasticacheMultiAz: sla(99.99, 'Amazon ElastiCache SLA, Multi-AZ: 99.99%'),
  // ElastiCache single-AZ is not covered by the Multi-AZ commitment; it is held to the instance-level compute figure.
  elasticacheSingleAz: sla(99.5, 'Amazon Compute SLA, Instance-level (single-AZ cache node): 99.5%'),
  // Amazon SQS SLA: 99.9%.
  sqs: sla(99.9, 'Amazon SQS SLA: 99.9%'),
  // Pub/Sub SLA: 99.95%; Azure Service Bus (Standard/Premium): 99.9%.
  otherQueue: sla(99.9, 'Azure Service Bus SLA: 99.9%'),
  // Amazon MSK SLA: Multi-AZ clusters 99.9%; Amazon Kinesis Data Streams SLA: 99.9%.
  stream: sla(99.9, 'Amazon MSK / Kinesis Data Streams SLA: 99.9%'),
  // Confluent Cloud SLA: multi-zone clusters 99.99%.
  confluent: sla(99.99, 'Confluent Cloud SLA, multi-zone: 99.99%'),
  // Amazon S3 SLA: S3 Standard 99.9%.
  s3Standard: sla(99.9, 'Amazon S3 SLA, Standard: 99.9%'),
  // Amazon S3 SLA: Standard-IA, Intelligent-Tiering, Glacier Instant Retrieval 99%.
  s3Infrequent: sla(99, 'Amazon S3 SLA, Standard-IA / Intelligent-Tiering: 99%'),
  // Cloud Storage SLA: regional Standard 99.9%; Azure Blob (LRS/ZRS hot) 99.9%.
  otherObjectStore: sla(99.9, 'Cloud Storage / Azure Blob SLA: 99.9%'),
  // AWS Glue SLA: 99.9%; Amazon Athena SLA: 99.9%.
  analyticsService: sla(99.9, 'AWS Glue / Amazon Athena SLA: 99.9%'),
  // AWS Secrets Manager SLA: 99.99%.
  secretsManager: sla(99.99, 'AWS Secrets Manager SLA: 99.99%'),
  // Amazon ECR SLA: 99.9%.
  ecr: sla(99.9, 'Amazon ECR SLA: 99.9%'),
  // Amazon CloudWatch SLA: 99.9%.
  cloudwatch: sla(99.9, 'Amazon CloudWatch SLA: 99.9%'),
  // A managed service with no figure of its own here (Parameter Store, GCP Secret Manager): the common 99.9% commitment.
  otherManaged: {
    percent: 99.9,
    source: 'managed service without a specific figure here: assumed 99.9%',
    assumed: true,
  },
  // DynamoDB: global tables 99.999%, a table in one region 99.99%.
  dynamodbGlobal: sla(99.999, 'Amazon DynamoDB SLA, global tables: 99.999%', 'https://aws.amazon.com/dynamodb/sla/'),
  dynamodbRegional: sla(99.99, 'Amazon DynamoDB SLA, standard tables: 99.99%', 'https://aws.amazon.com/dynamodb/sla/'),
  // --- Azure (issue 20): never an AWS figure for an Azure service.
  // AKS Standard tier (uptime SLA): 99.95% for the API server of a cluster using availability zones, 99.9% without.
  aksZones: sla(99.95, 'AKS uptime SLA (Standard tier), availability zones: 99.95%', azureSlas),
  aksNoZones: sla(99.9, 'AKS uptime SLA (Standard tier), no availability zones: 99.9%', azureSlas),
  // Virtual Machines: two or more instances across two or more availability zones 99.99%; a single instance on
  // Premium SSD 99.9%.
  azureVmZones: sla(99.99, 'Azure Virtual Machines SLA, instances in 2+ availability zones: 99.99%', azureSlas),
  azureVmSingle: sla(99.9, 'Azure Virtual Machines SLA, single instance (Premium SSD): 99.9%', azureSlas),
  // App Service and Azure Functions (dedicated plans): 99.95%.
  appService: sla(99.95, 'Azure App Service SLA: 99.95%', azureSlas),
  // Azure Database for PostgreSQL / MySQL flexible server: zone-redundant HA 99.99%, same-zone HA 99.95%, no HA 99.9%.
  azureFlexibleZoneHa: sla(99.99, 'Azure Database flexible server SLA, zone-redundant HA: 99.99%', azureSlas),
  azureFlexibleNoHa: sla(99.9, 'Azure Database flexible server SLA, without HA: 99.9%', azureSlas),
  // Cosmos DB: 99.999% for accounts spanning two or more regions with multi-region writes; 99.99% for a single
  // region (and for the writes of a multi-region account with one write region).
  cosmosMultiWrite: sla(99.999, 'Azure Cosmos DB SLA, multi-region writes: 99.999%', azureSlas),
  cosmosSingleWrite: sla(99.99, 'Azure Cosmos DB SLA, single write region: 99.99%', azureSlas),
  // Azure Cache for Redis: Standard and Premium 99.9%; Premium with zone redundancy 99.95%.
  azureCache: sla(99.9, 'Azure Cache for Redis SLA, Standard/Premium: 99.9%', azureSlas),
  azureCacheZones: sla(99.95, 'Azure Cache for Redis SLA, zone-redundant Premium: 99.95%', azureSlas),
  // Event Hubs Standard: 99.95%.
  eventHubs: sla(99.95, 'Azure Event Hubs SLA, Standard: 99.95%', azureSlas),
  // Key Vault: 99.99%.
  keyVault: sla(99.99, 'Azure Key Vault SLA: 99.99%', azureSlas),
  // Storage (LRS/ZRS, hot tier): 99.9% for reads and writes.
  azureStorage: sla(99.9, 'Azure Storage SLA, LRS/ZRS hot: 99.9%', azureSlas),
  // Container Registry (Standard/Premium): 99.9%.
  acr: sla(99.9, 'Azure Container Registry SLA: 99.9%', azureSlas),
  // --- Google Cloud.
  // GKE: the control plane of a regional cluster 99.95%, of a zonal cluster 99.5%.
  gkeRegional: sla(99.95, 'GKE SLA, regional cluster control plane: 99.95%', gcpSla('kubernetes-engine')),
  gkeZonal: sla(99.5, 'GKE SLA, zonal cluster control plane: 99.5%', gcpSla('kubernetes-engine')),
  // Compute Engine: instances in two or more zones 99.99%, a single instance 99.9%.
  gceMultiZone: sla(99.99, 'Compute Engine SLA, instances in 2+ zones: 99.99%', gcpSla('compute')),
  gceSingle: sla(99.9, 'Compute Engine SLA, single instance: 99.9%', gcpSla('compute')),
  // Cloud Run and Cloud Run functions: 99.95%.
  cloudRun: sla(99.95, 'Cloud Run SLA: 99.95%', gcpSla('run')),
  // Spanner: multi-region instance configurations 99.999%, regional 99.99%.
  spannerMultiRegion: sla(99.999, 'Spanner SLA, multi-region: 99.999%', gcpSla('spanner')),
  spannerRegional: sla(99.99, 'Spanner SLA, regional: 99.99%', gcpSla('spanner')),
  // Pub/Sub: 99.95%.
  pubsub: sla(99.95, 'Pub/Sub SLA: 99.95%', gcpSla('pubsub')),
  // Memorystore for Redis, Standard tier (a replica in another zone): 99.9%.
  memorystore: sla(99.9, 'Memorystore for Redis SLA, Standard tier: 99.9%', gcpSla('memorystore')),
  // Cloud Storage, Standard class in a region: 99.9% (dual- and multi-region 99.95%).
  gcsRegional: sla(99.9, 'Cloud Storage SLA, regional Standard: 99.9%', gcpSla('storage')),
  // Cloud Load Balancing: 99.99%.
  cloudLoadBalancing: sla(99.99, 'Cloud Load Balancing SLA: 99.99%', gcpSla('load-balancing')),
  // A managed service with no published figure here (or a configuration its SLA does not cover, such as a
  // Cloud SQL instance without HA): an assumption, stated in --explain, never another provider's number.
  unknownManaged: { percent: 99.9, source: 'no published SLA known for this service: assumed 99.9%', assumed: true },
  // Traffic sources are outside the system: they do not count against it.
  client: sla(100, 'traffic source (not part of the system)'),
  // An external service with no declared SLA: assume the common SaaS commitment (Auth0, Stripe, Twilio publish 99.9%-99.99%).
  externalUndeclared: sla(99.9, 'external service without a declared SLA: assumed 99.9%'),
} as const satisfies Record<string, PublishedSla>;
