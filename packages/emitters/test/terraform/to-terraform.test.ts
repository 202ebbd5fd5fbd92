import { parseTopology, type TopologyInput } from '@meridian/topology';
import { describe, expect, it } from 'vitest';
import { EmitError } from '../../src/errors.ts';
import { toTerraform } from '../../src/terraform/to-terraform.ts';
import { emit, referenced } from './support/config.ts';

const base: TopologyInput = {
  name: 'shop',
  regions: [
    { code: 'eu-west-1', role: 'primary', jurisdiction: 'EU', zones: ['eu-west-1a', 'eu-west-1b'] },
    { code: 'eu-central-1', role: 'secondary', jurisdiction: 'EU', zones: ['eu-central-1a', 'eu-central-1b'] },
  ],
  components: [
    {
      id: 'dns',
      kind: 'dns',
      placement: 'global',
      routing: 'failover',
      healthCheck: { intervalSeconds: 10, failureThreshold: 3 },
    },
    { id: 'eu-west-1/alb', kind: 'loadBalancer', type: 'alb', placement: { region: 'eu-west-1' } },
    { id: 'eu-central-1/alb', kind: 'loadBalancer', type: 'alb', placement: { region: 'eu-central-1' } },
  ],
  flows: [
    { id: 'a', from: 'dns', to: 'eu-west-1/alb', routing: { failover: 'primary' } },
    { id: 'b', from: 'dns', to: 'eu-central-1/alb', routing: { failover: 'secondary' } },
  ],
};

function refusal(change: (model: TopologyInput) => void): EmitError {
  const input = structuredClone(base);
  change(input);
  try {
    toTerraform(parseTopology(input));
  } catch (error) {
    if (error instanceof EmitError) return error;
    throw error;
  }
  throw new Error('no refusal');
}

describe('toTerraform on small models', () => {
  it('an ElastiCache Global Datastore: the secondary joins the global group made on its primary', () => {
    const input = structuredClone(base);
    input.components?.push(
      {
        id: 'eu-west-1/cache',
        kind: 'redis',
        placement: { region: 'eu-west-1' },
        replicasPerShard: 1,
        multiAz: true,
        nodeType: 'cache.r7g.large',
        globalDatastore: { role: 'primary' },
      },
      {
        id: 'eu-central-1/cache',
        kind: 'redis',
        placement: { region: 'eu-central-1' },
        replicasPerShard: 1,
        multiAz: true,
        globalDatastore: { role: 'secondary', primary: 'eu-west-1/cache' },
      },
    );
    const config = emit(parseTopology(input));
    const groups = config.resource.aws_elasticache_replication_group ?? {};
    const global = referenced(config, groups.eu_central_1_cache?.global_replication_group_id);
    expect(global.type).toBe('aws_elasticache_global_replication_group');
    expect(referenced(config, global.body.primary_replication_group_id).name).toBe('eu_west_1_cache');
    expect(groups.eu_central_1_cache?.node_type).toBeUndefined();
    expect(groups.eu_central_1_cache?.provider).toBe('aws.eu_central_1');
  });

  it('Aurora in one region: no global database, RDS keeps the password, a same-region replica is a reader', () => {
    const input = structuredClone(base);
    input.components?.push(
      {
        id: 'eu-west-1/db',
        kind: 'postgres',
        platform: 'aurora',
        instanceClass: 'db.r6g.large',
        multiAz: true,
        placement: { region: 'eu-west-1' },
      },
      {
        id: 'eu-west-1/db-reader',
        kind: 'postgres',
        platform: 'aurora',
        instanceClass: 'db.r6g.large',
        role: 'replica',
        replicaOf: 'eu-west-1/db',
        placement: { region: 'eu-west-1' },
      },
    );
    const config = emit(parseTopology(input));
    expect(config.resource.aws_rds_global_cluster).toBeUndefined();
    expect(Object.keys(config.resource.aws_rds_cluster ?? {})).toEqual(['eu_west_1_db']);
    expect(config.resource.aws_rds_cluster?.eu_west_1_db).toMatchObject({ manage_master_user_password: true });
    const instances = config.resource.aws_rds_cluster_instance ?? {};
    expect(Object.keys(instances)).toEqual(['eu_west_1_db_1', 'eu_west_1_db_2', 'eu_west_1_db_reader_1']);
    for (const instance of Object.values(instances))
      expect(referenced(config, instance.cluster_identifier).name).toBe('eu_west_1_db');
    expect(Object.keys(config.resource.aws_security_group ?? {})).not.toContain('eu_west_1_db_reader');
  });

  it('weighted and geolocation routing carry the flow weights and locations', () => {
    const weighted = structuredClone(base);
    (weighted.components?.[0] as { routing: string }).routing = 'weighted';
    weighted.flows = [
      { id: 'a', from: 'dns', to: 'eu-west-1/alb', routing: { weight: 70 } },
      { id: 'b', from: 'dns', to: 'eu-central-1/alb', routing: { weight: 30 } },
    ];
    const records = Object.values(emit(parseTopology(weighted)).resource.aws_route53_record ?? {});
    expect(records.map((r) => r.weighted_routing_policy)).toEqual([{ weight: 70 }, { weight: 30 }]);
    const geo = structuredClone(weighted);
    (geo.components?.[0] as { routing: string }).routing = 'geolocation';
    geo.flows = [
      { id: 'a', from: 'dns', to: 'eu-west-1/alb', routing: { locations: ['EU', 'GB'] } },
      { id: 'b', from: 'dns', to: 'eu-central-1/alb', routing: { locations: ['*'] } },
    ];
    const geoRecords = Object.values(emit(parseTopology(geo)).resource.aws_route53_record ?? {});
    expect(geoRecords.map((r) => r.geolocation_routing_policy)).toEqual([
      { continent: 'EU' },
      { country: 'GB' },
      { country: '*' },
    ]);
  });
});

describe('toTerraform on a DNS whose routing or health check values the model leaves unstated', () => {
  it('one target: a simple record; Route 53 default interval and threshold (the arguments left out)', () => {
    const input = structuredClone(base);
    const dns = input.components?.[0] as { routing?: string; healthCheck: object };
    delete dns.routing;
    dns.healthCheck = { path: '/healthz' };
    input.flows = [{ id: 'a', from: 'dns', to: 'eu-west-1/alb' }];
    const config = emit(parseTopology(input));
    const records = Object.values(config.resource.aws_route53_record ?? {});
    expect(records).toHaveLength(1);
    expect(records[0]).not.toHaveProperty('set_identifier');
    expect(records[0]).not.toHaveProperty('failover_routing_policy');
  });

  it('a stated failover keeps its health checks without interval or threshold, so Route 53 applies 30 s and 3', () => {
    const input = structuredClone(base);
    (input.components?.[0] as { healthCheck: object }).healthCheck = { path: '/healthz' };
    const checks = Object.values(emit(parseTopology(input)).resource.aws_route53_health_check ?? {});
    expect(checks).toHaveLength(2);
    for (const check of checks) {
      expect(check).not.toHaveProperty('request_interval');
      expect(check).not.toHaveProperty('failure_threshold');
      expect(check.resource_path).toBe('/healthz');
    }
  });

  it('two targets: refused, naming the routing field, rather than guessing a policy', () => {
    const error = refusal((m) => {
      const [dns] = m.components ?? [];
      delete (dns as { routing?: string }).routing;
      for (const flow of m.flows ?? []) delete flow.routing;
    });
    expect(error).toMatchObject({ code: 'terraform-unsupported', path: ['components', 'dns', 'routing'] });
    expect(error.message).toContain('eu-west-1/alb, eu-central-1/alb');
  });
});

describe('toTerraform refuses what AWS cannot do, naming the model path', () => {
  it('accepts the base model', () => {
    expect(emit(parseTopology(base)).resource.aws_route53_record).toBeDefined();
  });

  it('a health check interval Route 53 does not offer', () => {
    const error = refusal((m) => {
      const dns = m.components?.[0] as { healthCheck: { intervalSeconds: number } };
      dns.healthCheck.intervalSeconds = 15;
    });
    expect(error).toMatchObject({
      code: 'terraform-unsupported',
      path: ['components', 'dns', 'healthCheck', 'intervalSeconds'],
    });
  });

  it('weighted routing without weights', () => {
    const error = refusal((m) => {
      (m.components?.[0] as { routing: string }).routing = 'weighted';
    });
    expect(error).toMatchObject({ code: 'terraform-unsupported', path: ['flows', 'a', 'routing'] });
  });

  it('a cache asking for an append-only file', () => {
    const error = refusal((m) => {
      m.components?.push({
        id: 'eu-west-1/cache',
        kind: 'redis',
        placement: { region: 'eu-west-1' },
        persistence: 'aof',
      });
    });
    expect(error).toMatchObject({
      code: 'terraform-unsupported',
      path: ['components', 'eu-west-1/cache', 'persistence'],
    });
  });

  it('a managed replica of a database AWS does not run', () => {
    const error = refusal((m) => {
      m.components?.push(
        { id: 'eu-west-1/db', kind: 'postgres', platform: 'self-managed', placement: { region: 'eu-west-1' } },
        {
          id: 'eu-central-1/db',
          kind: 'postgres',
          role: 'replica',
          replicaOf: 'eu-west-1/db',
          placement: { region: 'eu-central-1' },
        },
      );
    });
    expect(error).toMatchObject({
      code: 'terraform-unsupported',
      path: ['components', 'eu-central-1/db', 'replicaOf'],
    });
  });

  it('geolocation routing sending the default to two targets', () => {
    const error = refusal((m) => {
      (m.components?.[0] as { routing: string }).routing = 'geolocation';
    });
    expect(error).toMatchObject({ code: 'terraform-unsupported', path: ['flows', 'b', 'routing'] });
    expect(error.message).toContain('default (no locations) also goes to eu-west-1/alb');
  });

  it('an internet-facing load balancer in a VPC without an internet gateway', () => {
    const error = refusal((m) => {
      const region = m.regions?.[0] as { network?: unknown };
      region.network = { internetGateway: false };
    });
    expect(error).toMatchObject({ code: 'terraform-unsupported', path: ['components', 'eu-west-1/alb', 'scheme'] });
  });

  it('point-in-time recovery with no backups kept', () => {
    const error = refusal((m) => {
      m.components?.push({
        id: 'eu-west-1/db',
        kind: 'postgres',
        placement: { region: 'eu-west-1' },
        backup: { pitr: true, retentionDays: 0 },
      });
    });
    expect(error).toMatchObject({
      code: 'terraform-unsupported',
      path: ['components', 'eu-west-1/db', 'backup', 'retentionDays'],
    });
  });

  it('two ids that would share a Terraform name', () => {
    const error = refusal((m) => {
      m.components?.push(
        { id: 'eu-west-1/q-a', kind: 'queue', placement: { region: 'eu-west-1' } },
        { id: 'eu-west-1/q_a', kind: 'queue', placement: { region: 'eu-west-1' } },
      );
    });
    expect(error.code).toBe('terraform-name-collision');
  });
});
