import { describe, expect, it } from 'vitest';
import { toTerraform } from '../../src/terraform/to-terraform.ts';
import { emit, example, referenced } from './support/config.ts';

// The model's relationships as Terraform relationships, on the six examples (their files are golden.test.ts's).
describe('toTerraform on the examples', () => {
  it.each(['aragora', 'hld-global', 'nexora', 'orasi-telemetry', 'reference', 'tv-voting'])(
    '%s: one provider alias per AWS region, and every regional resource uses one',
    async (name) => {
      const model = await example(name);
      const config = emit(model);
      const aws = model.regions.filter((r) => r.provider === 'aws');
      const regional = config.providers.filter((p) => p.alias !== 'global');
      expect(regional.map((p) => p.region)).toEqual(aws.map((r) => r.code));
      expect(new Set(config.providers.map((p) => p.alias)).size).toBe(config.providers.length);
      for (const [type, instances] of Object.entries(config.resource)) {
        for (const [address, body] of Object.entries(instances)) {
          expect(body.provider, `${type}.${address}`).toMatch(/^aws\./);
        }
      }
    },
  );

  // A resource reaches into another region only through what AWS lets cross regions: ARNs (replication sources and
  // destinations), DNS names and hosted zones (Route 53 and CloudFront are global), global group ids. A VPC, subnet or
  // security group id of another region would pass the schema but fail at apply.
  it.each(['aragora', 'hld-global', 'nexora', 'orasi-telemetry', 'reference', 'tv-voting'])(
    '%s: references across providers are only ARNs, DNS names and global ids',
    async (name) => {
      const config = emit(await example(name));
      const crossing = new Set(['arn', 'dns_name', 'zone_id', 'domain_name', 'hosted_zone_id', 'address', 'endpoint']);
      const globalTypes = new Set(['aws_rds_global_cluster', 'aws_elasticache_global_replication_group']);
      const problems: string[] = [];
      for (const [type, instances] of Object.entries(config.resource)) {
        for (const [address, body] of Object.entries(instances)) {
          for (const [, targetType, targetName, attr] of JSON.stringify(body).matchAll(
            /\$\{(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)/g,
          )) {
            const target = config.resource[targetType ?? '']?.[targetName ?? ''];
            if (!target || target.provider === body.provider) continue;
            if (crossing.has(attr ?? '') || globalTypes.has(targetType ?? '')) continue;
            problems.push(
              `${type}.${address} (${body.provider}) -> ${targetType}.${targetName}.${attr} (${target.provider})`,
            );
          }
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it('aragora: cross-region replicas replicate their source by ARN, encrypted with a key of their own region', async () => {
    const config = emit(await example('aragora'));
    const instances = config.resource.aws_db_instance ?? {};
    const replicas = Object.entries(instances).filter(([, body]) => body.replicate_source_db !== undefined);
    expect(replicas.map(([name]) => name).sort()).toEqual(['ap_south_1_postgres', 'eu_west_1_postgres']);
    for (const [name, replica] of replicas) {
      const source = referenced(config, replica.replicate_source_db);
      expect(source.type, name).toBe('aws_db_instance');
      expect(source.body.provider, name).not.toBe(replica.provider);
      expect(source.attr, name).toBe('arn');
      const key = referenced(config, replica.kms_key_id);
      expect(key.type).toBe('aws_kms_key');
      expect(key.body.provider, name).toBe(replica.provider);
    }
    // The eu-west-1 replica is itself a source (of ap-south-1): RDS needs its backups on.
    expect(instances.eu_west_1_postgres?.backup_retention_period).toBeDefined();
  });

  it('hld-global: a replica in its source region names the source by identifier', async () => {
    const config = emit(await example('hld-global'));
    const replica = config.resource.aws_db_instance?.us_east_1_rds_replica;
    expect(referenced(config, replica?.replicate_source_db)).toMatchObject({
      name: 'us_east_1_rds_master',
      attr: 'identifier',
    });
    expect(replica?.db_subnet_group_name).toBeUndefined();
  });

  it('nexora: the one-zone DR region gets a second zone for the EKS control plane, its nodes stay in the declared zone', async () => {
    const config = emit(await example('nexora'));
    const cluster = config.resource.aws_eks_cluster?.ap_southeast_1_dr_cluster;
    const nodes = config.resource.aws_eks_node_group?.ap_southeast_1_dr_cluster_dr_nodes;
    const zonesOf = (ids: unknown) =>
      ((ids as string[] | undefined) ?? []).map((id) => referenced(config, id).body.availability_zone).sort();
    expect(zonesOf((cluster?.vpc_config as { subnet_ids: string[] } | undefined)?.subnet_ids)).toEqual([
      'ap-southeast-1a',
      'ap-southeast-1b',
    ]);
    expect(zonesOf(nodes?.subnet_ids)).toEqual(['ap-southeast-1a']);
  });

  it('hld-global: latency records for the ALBs; the read replicas (a CNAME) answer under a name of their own', async () => {
    const config = emit(await example('hld-global'));
    const records = config.resource.aws_route53_record ?? {};
    expect(records.global_lb_us_east_1_alb?.latency_routing_policy).toEqual({ region: 'us-east-1' });
    expect(records.global_lb_eu_west_1_alb?.latency_routing_policy).toEqual({ region: 'eu-west-1' });
    const replicas = records.global_lb_ap_southeast_1_read_replicas;
    expect(replicas).toMatchObject({
      type: 'CNAME',
      name: `\${var.global_lb_ap_southeast_1_read_replicas_record_name}`,
    });
    expect(replicas?.name).not.toBe(records.global_lb_us_east_1_alb?.name);
    expect(referenced(config, (replicas?.records as string[] | undefined)?.[0]).name).toBe(
      'ap_southeast_1_read_replicas',
    );
  });

  it('reference: failover records PRIMARY and SECONDARY, each with a health check of its own load balancer', async () => {
    const model = await example('reference');
    const config = emit(model);
    const dns = model.components.find((c) => c.kind === 'dns');
    if (dns?.kind !== 'dns' || !dns.healthCheck) throw new Error('the reference DNS has a health check');
    const records = Object.values(config.resource.aws_route53_record ?? {});
    expect(records.map((r) => (r.failover_routing_policy as { type: string }).type)).toEqual(['PRIMARY', 'SECONDARY']);
    for (const record of records) {
      const check = referenced(config, record.health_check_id).body;
      const alias = record.alias as { name: string };
      expect(check.fqdn).toBe(alias.name);
      expect(check.request_interval).toBe(dns.healthCheck.intervalSeconds);
      expect(check.failure_threshold).toBe(dns.healthCheck.failureThreshold);
      expect(check.resource_path).toBe(dns.healthCheck.path);
    }
  });

  it('reference: the Aurora replica region joins the primary as a secondary of one global database', async () => {
    const config = emit(await example('reference'));
    const clusters = config.resource.aws_rds_cluster ?? {};
    const globals = Object.values(clusters).map((c) => referenced(config, c.global_cluster_identifier).name);
    expect(globals).toEqual(['eu_west_1_orders_db', 'eu_west_1_orders_db']);
    expect(referenced(config, clusters.eu_central_1_orders_db?.kms_key_id).name).toBe('eu_central_1');
  });

  it('reference: every SLA objective has its alarm, with the threshold the objective implies', async () => {
    const model = await example('reference');
    const alarms = emit(model).resource.aws_cloudwatch_metric_alarm ?? {};
    expect(alarms.eu_west_1_alb_availability?.threshold).toBeCloseTo(100 - (model.sla?.availability ?? 0), 6);
    expect(alarms.eu_west_1_alb_p99_latency?.threshold).toBe((model.sla?.p99LatencyMs ?? 0) / 1000);
    expect(Object.keys(alarms).filter((k) => k.endsWith('_health_check'))).toHaveLength(2);
  });

  it('reference: the replicated lake replicates to the other region, both versioned, with the destination key', async () => {
    const config = emit(await example('reference'));
    const replication = Object.values(config.resource.aws_s3_bucket_replication_configuration ?? {});
    expect(replication).toHaveLength(1);
    const [rule] = replication.map(
      (r) => r.rule as { destination: { bucket: string; encryption_configuration: { replica_kms_key_id: string } } },
    );
    const source = referenced(config, replication[0]?.bucket);
    const destination = referenced(config, rule?.destination.bucket);
    expect([source.name, destination.name]).toEqual(['eu_west_1_lake', 'eu_central_1_lake']);
    expect(referenced(config, rule?.destination.encryption_configuration.replica_kms_key_id).body.provider).toBe(
      destination.body.provider,
    );
    const versioned = Object.values(config.resource.aws_s3_bucket_versioning ?? {}).map(
      (v) => referenced(config, v.bucket).name,
    );
    expect(versioned).toEqual(expect.arrayContaining(['eu_west_1_lake', 'eu_central_1_lake']));
  });

  it('tv-voting: a bucket the design does not name gets its name from a variable', async () => {
    const model = await example('tv-voting');
    const files = toTerraform(model);
    const buckets = emit(model).resource.aws_s3_bucket ?? {};
    expect(buckets.us_east_1_s3_audit_logs?.bucket).toBe(`\${var.us_east_1_s3_audit_logs_bucket_name}`);
    expect(files.find((f) => f.path === 'variables.tf.json')?.contents).toContain(
      'us_east_1_s3_audit_logs_bucket_name',
    );
  });

  it('the same model gives the same files, byte for byte', async () => {
    const model = await example('reference');
    expect(toTerraform(model)).toEqual(toTerraform(model));
  });
});
