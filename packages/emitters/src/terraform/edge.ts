import type { Cdn, Waf } from '@meridian/topology';
import { wafTargets, webAclRules } from '../aws/waf.ts';
import type { AwsRegion, TerraformContext } from './context.ts';
import type { TfAddress, TfObject } from './document.ts';
import { tfName } from './names.ts';

// CloudFront managed policies (CloudFront Developer Guide, "Use managed cache policies" and "Use managed origin
// request policies"): ids are the same in every account.
const CACHING_OPTIMIZED = '658327ea-f89d-4fab-a63d-7e88639e58f6';
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/**
 * edge.tf.json: WAFv2 web ACLs and CloudFront distributions where the model has them. A WAF in front of a CDN is a
 * CLOUDFRONT-scope web ACL (made in us-east-1) attached to the distribution; in front of load balancers, a REGIONAL
 * web ACL per region associated with each. Its rules: a per-IP rate limit over the 5-minute window and the modelled
 * AWS managed rule groups. A distribution's origins are what the CDN sends requests to, over HTTPS.
 */
export function emitEdge(ctx: TerraformContext): void {
  const cloudFrontAcls = new Map<string, TfAddress>();
  for (const waf of ctx.globalOnAws('waf')) {
    const { cdns, loadBalancers } = wafTargets(ctx.model, waf);
    if (cdns.length) {
      const acl = webAcl(ctx, waf, 'CLOUDFRONT', ctx.globalRegion(), tfName(waf.id));
      for (const cdn of cdns) cloudFrontAcls.set(cdn.id, acl);
    }
    const regional = new Map<string, { region: AwsRegion; lbs: string[] }>();
    for (const target of loadBalancers) {
      if (!ctx.endpoints.has(target.id)) continue;
      const region = ctx.regionOf(target);
      if (!region) continue;
      const entry = regional.get(region.region.id) ?? { region, lbs: [] };
      entry.lbs.push(target.id);
      regional.set(region.region.id, entry);
    }
    for (const { region, lbs } of regional.values()) {
      const acl = webAcl(ctx, waf, 'REGIONAL', region, `${tfName(waf.id)}_${region.alias}`);
      for (const lb of lbs) {
        ctx.doc.resource('edge.tf.json', 'aws_wafv2_web_acl_association', `${tfName(waf.id)}_${ctx.name(lb)}`, {
          provider: region.provider,
          resource_arn: `\${aws_lb.${ctx.name(lb)}.arn}`,
          web_acl_arn: acl.attr('arn'),
        });
      }
    }
  }
  for (const cdn of ctx.globalOnAws('cdn')) emitDistribution(ctx, cdn, cloudFrontAcls.get(cdn.id));
}

function visibility(metric: string): TfObject {
  return { cloudwatch_metrics_enabled: true, metric_name: metric, sampled_requests_enabled: true };
}

function webAcl(
  ctx: TerraformContext,
  waf: Waf,
  scope: 'CLOUDFRONT' | 'REGIONAL',
  region: AwsRegion,
  name: string,
): TfAddress {
  const metric = ctx.awsName(`${ctx.model.name}-${waf.id}`, 128);
  const rules: TfObject[] = webAclRules(waf).map((rule) =>
    rule.kind === 'rate-limit'
      ? {
          name: rule.name,
          priority: rule.priority,
          action: { block: {} },
          statement: { rate_based_statement: { limit: rule.limit, aggregate_key_type: 'IP' } },
          visibility_config: visibility(`${metric}-rate-limit`),
        }
      : {
          name: rule.name,
          priority: rule.priority,
          override_action: { none: {} },
          statement: { managed_rule_group_statement: { name: rule.group, vendor_name: 'AWS' } },
          visibility_config: visibility(`${metric}-${rule.group}`),
        },
  );
  return ctx.doc.resource('edge.tf.json', 'aws_wafv2_web_acl', name, {
    provider: region.provider,
    name: ctx.awsName(`${ctx.model.name}-${waf.id}${scope === 'REGIONAL' ? `-${region.region.id}` : ''}`, 128),
    description: `${waf.kind} ${waf.id}`,
    scope,
    default_action: { allow: {} },
    rule: rules.length ? rules : undefined,
    visibility_config: visibility(metric),
    tags: ctx.tags(waf.id),
  });
}

function emitDistribution(ctx: TerraformContext, cdn: Cdn, acl: TfAddress | undefined): void {
  const name = ctx.name(cdn.id);
  const targets = ctx.model.flows.filter((f) => f.from === cdn.id).map((f) => f.to);
  const origins = (targets.length ? targets : [undefined]).map((target) => {
    const endpoint = target ? ctx.endpoints.get(target) : undefined;
    const originName = target ? tfName(target) : 'origin';
    const domain =
      endpoint?.name ??
      ctx.doc.variable(`${name}_origin_${originName}`, {
        type: 'string',
        description: target
          ? `The DNS name CloudFront ${cdn.id} fetches ${target} from (the model has no AWS endpoint for it)`
          : `The DNS name of CloudFront ${cdn.id}'s origin (the model draws none)`,
      }).ref;
    return {
      origin_id: target ?? 'origin',
      domain_name: domain,
      custom_origin_config: {
        http_port: 80,
        https_port: 443,
        origin_protocol_policy: 'https-only',
        origin_ssl_protocols: ['TLSv1.2'],
      },
    };
  });
  const dynamic = cdn.cachesDynamic ?? false;
  const distribution = ctx.doc.resource('edge.tf.json', 'aws_cloudfront_distribution', name, {
    provider: ctx.globalRegion().provider,
    enabled: true,
    is_ipv6_enabled: true,
    comment: `${cdn.kind} ${cdn.id}`,
    origin: origins,
    default_cache_behavior: {
      target_origin_id: origins[0]?.origin_id ?? 'origin',
      viewer_protocol_policy: 'redirect-to-https',
      allowed_methods: dynamic
        ? ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']
        : ['GET', 'HEAD', 'OPTIONS'],
      cached_methods: ['GET', 'HEAD'],
      compress: true,
      cache_policy_id: dynamic ? CACHING_DISABLED : CACHING_OPTIMIZED,
      origin_request_policy_id: dynamic ? ALL_VIEWER_EXCEPT_HOST_HEADER : undefined,
    },
    restrictions: { geo_restriction: { restriction_type: 'none' } },
    viewer_certificate: { cloudfront_default_certificate: true },
    web_acl_id: acl?.attr('arn'),
    tags: ctx.tags(cdn.id),
  });
  ctx.endpoints.set(cdn.id, {
    kind: 'alias',
    name: distribution.attr('domain_name'),
    zoneId: distribution.attr('hosted_zone_id'),
  });
  ctx.doc.output(`${name}_domain_name`, {
    description: `${cdn.id}: the distribution's domain`,
    value: distribution.attr('domain_name'),
  });
}
