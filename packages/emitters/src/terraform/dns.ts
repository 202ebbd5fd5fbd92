import type { Component, Dns } from '@meridian/topology';
import {
  asideReason,
  dnsTargets,
  healthCheckEndpoint,
  type RecordPolicy,
  recordPolicies,
  refuseMultivalueAlias,
  routedDns,
} from '../aws/route53.ts';
import type { Endpoint, TerraformContext } from './context.ts';
import type { TfAddress, TfObject } from './document.ts';
import { tfName } from './names.ts';

/** The Route 53 health checks emitted, by target component id (alarms.ts watches them). */
export type EmittedHealthChecks = Map<string, TfAddress>;

/**
 * dns.tf.json: for each Route 53 DNS component, one record per target it routes to (its flows), with the routing
 * policy of the model: failover PRIMARY/SECONDARY, latency by the target's region, geolocation by the flow's
 * locations (continents, countries, `*` for the default), weighted by the flow's weight; simple routing to several
 * targets answers with all healthy ones (multivalue). Alias records for load balancers and CloudFront, CNAMEs (with
 * the model's TTL) for other hosts; targets with no AWS endpoint get a variable. Each target of a health-checked
 * policy gets a health check with the model's interval, threshold, protocol, port and path.
 */
export function emitDns(ctx: TerraformContext): EmittedHealthChecks {
  const checks: EmittedHealthChecks = new Map();
  for (const dns of ctx.globalOnAws('dns')) emitZoneRecords(ctx, dns, checks);
  return checks;
}

function emitZoneRecords(ctx: TerraformContext, component: Dns, checks: EmittedHealthChecks): void {
  const name = ctx.name(component.id);
  const provider = ctx.globalRegion().provider;
  const targets = dnsTargets(ctx.model, component);
  const dns = routedDns('terraform', component, targets);
  if (targets.length === 0) return;
  const zoneId = ctx.doc.variable(`${name}_zone_id`, {
    type: 'string',
    description: `The Route 53 hosted zone of ${dns.domain ?? dns.id}'s records`,
  }).ref;
  const recordName =
    dns.domain ??
    ctx.doc.variable(`${name}_record_name`, {
      type: 'string',
      description: `The name ${dns.id} answers for (the model gives no domain)`,
    }).ref;
  const multivalue = dns.routing === 'simple' && targets.length > 1;
  const healthChecked = dns.routing !== 'simple' || multivalue;
  const endpoints = targets.map((target) => endpointOf(ctx, dns, target.component, multivalue));
  const mixed = endpoints.some((e) => e.kind === 'alias') && endpoints.some((e) => e.kind === 'host');
  for (const [i, target] of targets.entries()) {
    const targetName = tfName(target.component.id);
    const endpoint = endpoints[i] ?? endpointOf(ctx, dns, target.component, multivalue);
    // A target that cannot share the record set is served under another name, a simple record named by a variable.
    const why = asideReason(dns, target, endpoint.kind === 'host', mixed);
    const aside = why !== undefined;
    const check =
      healthChecked && !aside && dns.healthCheck
        ? healthCheck(ctx, dns, target.component, endpoint, checks)
        : undefined;
    const policies: [string, TfObject][] = aside
      ? [['', {}]]
      : recordPolicies('terraform', ctx.model, dns, target).map((p) => [p.suffix, routingPolicy(p)]);
    for (const [suffix, policy] of policies) {
      const record: TfObject = {
        provider,
        zone_id: zoneId,
        name: aside
          ? ctx.doc.variable(`${name}_${targetName}_record_name`, {
              type: 'string',
              description: `The name ${dns.id} answers for with ${target.component.id}, ${why}`,
            }).ref
          : recordName,
        set_identifier:
          !aside && (policies.length > 1 || dns.routing !== 'simple' || multivalue)
            ? `${target.component.id}${suffix ? `-${suffix}` : ''}`
            : undefined,
        health_check_id: check?.attr('id'),
        ...policy,
        ...recordValue(ctx, dns, endpoint, healthChecked && !aside),
      };
      ctx.doc.resource(
        'dns.tf.json',
        'aws_route53_record',
        `${name}_${targetName}${suffix ? `_${tfName(suffix)}` : ''}`,
        record,
      );
    }
  }
}

type Resolved = Endpoint | { readonly kind: 'addresses'; readonly name: string };

function endpointOf(ctx: TerraformContext, dns: Dns, target: Component, multivalue: boolean): Resolved {
  const known = ctx.endpoints.get(target.id);
  if (known && multivalue && known.kind === 'alias') {
    refuseMultivalueAlias('terraform', dns, target);
  }
  if (known) return known;
  const name = `${ctx.name(dns.id)}_${tfName(target.id)}`;
  if (multivalue) {
    return {
      kind: 'addresses',
      name: ctx.doc.variable(`${name}_addresses`, {
        type: 'list(string)',
        description: `The IPv4 addresses ${dns.id} answers with for ${target.id} (the model has no AWS endpoint for it)`,
      }).ref,
    };
  }
  return {
    kind: 'host',
    name: ctx.doc.variable(`${name}_host`, {
      type: 'string',
      description: `The host name ${dns.id} sends ${target.id}'s traffic to (the model has no AWS endpoint for it)`,
    }).ref,
  };
}

function recordValue(ctx: TerraformContext, dns: Dns, endpoint: Resolved, healthChecked: boolean): TfObject {
  if (endpoint.kind === 'alias') {
    return {
      type: 'A',
      alias: {
        name: endpoint.name,
        zone_id: endpoint.zoneId,
        evaluate_target_health: dns.evaluateTargetHealth ?? healthChecked,
      },
    };
  }
  const ttl =
    dns.ttlSeconds ??
    ctx.doc.variable('dns_ttl_seconds', {
      type: 'number',
      description: 'The TTL of records whose DNS component states none',
    }).ref;
  if (endpoint.kind === 'addresses')
    return { type: 'A', ttl, records: endpoint.name, multivalue_answer_routing_policy: true };
  return { type: 'CNAME', ttl, records: [endpoint.name] };
}

/** A record's routing policy block. */
function routingPolicy(policy: RecordPolicy): TfObject {
  switch (policy.kind) {
    case 'simple':
      return {};
    case 'failover':
      return { failover_routing_policy: { type: policy.role } };
    case 'latency':
      return { latency_routing_policy: { region: policy.region } };
    case 'weighted':
      return { weighted_routing_policy: { weight: policy.weight } };
    case 'geolocation':
      return { geolocation_routing_policy: { ...policy.location } };
  }
}

function healthCheck(
  ctx: TerraformContext,
  dns: Dns,
  target: Component,
  endpoint: Resolved,
  checks: EmittedHealthChecks,
): TfAddress | undefined {
  const config = dns.healthCheck;
  if (!config || endpoint.kind === 'addresses') return undefined;
  const { protocol, port } = healthCheckEndpoint(dns);
  const address = ctx.doc.resource(
    'dns.tf.json',
    'aws_route53_health_check',
    `${ctx.name(dns.id)}_${tfName(target.id)}`,
    {
      provider: ctx.globalRegion().provider,
      fqdn: endpoint.name,
      type: protocol.toUpperCase(),
      port,
      resource_path: protocol === 'tcp' ? undefined : config.path,
      request_interval: config.intervalSeconds,
      failure_threshold: config.failureThreshold,
      insufficient_data_health_status: config.insufficientDataHealthStatus
        ? { healthy: 'Healthy', unhealthy: 'Unhealthy', 'last-known-status': 'LastKnownStatus' }[
            config.insufficientDataHealthStatus
          ]
        : undefined,
      tags: { ...ctx.tags(dns.id), 'meridian:target': target.id, Name: `${dns.id} -> ${target.id}` },
    },
  );
  checks.set(target.id, address);
  return address;
}
