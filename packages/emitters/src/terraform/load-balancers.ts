import type { LoadBalancer } from '@meridian/topology';
import { listenersOf, refuseInternetFacingWithoutGateway } from '../aws/load-balancers.ts';
import type { AwsRegion, TerraformContext } from './context.ts';
import type { TfAddress } from './document.ts';
import { securityGroupFor } from './security-groups.ts';

/** The load balancers emitted, by component id: DNS records, CloudFront origins and alarms point at them. */
export type EmittedLoadBalancers = Map<string, { readonly lb: LoadBalancer; readonly address: TfAddress }>;

// A TLS 1.3 policy with TLS 1.2 fallback (ELB User Guide, "Security policies for your Application Load Balancer").
const TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/**
 * load-balancers.tf.json: each ALB/NLB in its region's public subnets (internet-facing) or private ones (internal),
 * with its security group, and its modelled listeners. Which targets a listener forwards to is configured inside
 * the cluster (the AWS Load Balancer Controller's target group bindings), so a listener answers 404 until then.
 */
export function emitLoadBalancers(ctx: TerraformContext): EmittedLoadBalancers {
  const emitted: EmittedLoadBalancers = new Map();
  for (const { component: lb, region } of ctx.regionalOnAws('loadBalancer')) {
    emitted.set(lb.id, { lb, address: emitLoadBalancer(ctx, lb, region) });
  }
  return emitted;
}

function emitLoadBalancer(ctx: TerraformContext, lb: LoadBalancer, region: AwsRegion): TfAddress {
  const name = ctx.name(lb.id);
  const network = ctx.network(region);
  const internetFacing = lb.scheme === 'internet-facing';
  refuseInternetFacingWithoutGateway('terraform', lb, region.region);
  const group = securityGroupFor(ctx, lb, region);
  const isAlb = lb.type === 'alb';
  const address = ctx.doc.resource('load-balancers.tf.json', 'aws_lb', name, {
    provider: region.provider,
    // ELB names: at most 32 characters.
    name: ctx.awsName(lb.id, 32),
    internal: !internetFacing,
    load_balancer_type: isAlb ? 'application' : 'network',
    subnets: (internetFacing ? network.subnets.public : network.subnets.private).map((s) => s.attr('id')),
    security_groups: [group],
    // ALBs always balance across zones; for an NLB it is the model's choice.
    enable_cross_zone_load_balancing: isAlb ? undefined : lb.crossZone,
    drop_invalid_header_fields: isAlb ? true : undefined,
    enable_deletion_protection: true,
    tags: ctx.tags(lb.id),
  });
  const listeners = listenersOf(lb);
  for (const listener of listeners) {
    const secure = listener.protocol === 'https' || listener.protocol === 'tls';
    // An NLB has no fixed responses: it forwards to an (empty) IP target group the cluster fills.
    const targets = isAlb
      ? undefined
      : ctx.doc.resource('load-balancers.tf.json', 'aws_lb_target_group', `${name}_${listener.port}`, {
          provider: region.provider,
          name: ctx.awsName(`${lb.id}-${listener.port}`, 32),
          port: listener.port,
          protocol: listener.protocol === 'tls' ? 'TCP' : listener.protocol.toUpperCase(),
          target_type: 'ip',
          vpc_id: network.vpc.attr('id'),
          tags: ctx.tags(lb.id),
        });
    ctx.doc.resource('load-balancers.tf.json', 'aws_lb_listener', `${name}_${listener.port}`, {
      provider: region.provider,
      load_balancer_arn: address.attr('arn'),
      port: listener.port,
      protocol: listener.protocol.toUpperCase(),
      ssl_policy: secure ? TLS_POLICY : undefined,
      certificate_arn: secure
        ? ctx.doc.variable(`${name}_certificate_arn`, {
            type: 'string',
            description: `The ACM certificate of ${lb.id}'s TLS listeners, in ${region.region.code}`,
          }).ref
        : undefined,
      default_action: targets
        ? { type: 'forward', target_group_arn: targets.attr('arn') }
        : {
            type: 'fixed-response',
            fixed_response: { content_type: 'text/plain', status_code: '404', message_body: 'no route' },
          },
      tags: ctx.tags(lb.id),
    });
  }
  ctx.endpoints.set(lb.id, { kind: 'alias', name: address.attr('dns_name'), zoneId: address.attr('zone_id') });
  ctx.doc.output(`${name}_dns_name`, {
    description: `${lb.id}: the load balancer's DNS name`,
    value: address.attr('dns_name'),
  });
  return address;
}
