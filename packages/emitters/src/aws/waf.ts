import type { Cdn, Component, LoadBalancer, Topology, Waf } from '@meridian/topology';

/** One rule of a web ACL: a per-IP rate limit, or an AWS managed rule group. */
export type WebAclRule =
  | { readonly kind: 'rate-limit'; readonly name: string; readonly priority: number; readonly limit: number }
  | { readonly kind: 'managed'; readonly name: string; readonly priority: number; readonly group: string };

/**
 * The rules of a WAF's web ACL: a per-IP rate limit over AWS WAF's 5-minute window (the model's unit) that blocks,
 * then the modelled AWS managed rule groups in order, each with its own action.
 */
export function webAclRules(waf: Waf): WebAclRule[] {
  const rules: WebAclRule[] = [];
  if (waf.rateLimitPerIp !== undefined)
    rules.push({ kind: 'rate-limit', name: 'rate-limit-per-ip', priority: 0, limit: waf.rateLimitPerIp });
  for (const [i, group] of (waf.managedRules ?? []).entries())
    rules.push({ kind: 'managed', name: group, priority: i + 1, group });
  return rules;
}

/**
 * What a WAF protects, from its flows: CloudFront distributions (a CLOUDFRONT-scope web ACL, made in us-east-1)
 * and load balancers (a REGIONAL web ACL in each of their regions, associated with each).
 */
export function wafTargets(model: Topology, waf: Waf): { cdns: Cdn[]; loadBalancers: LoadBalancer[] } {
  const byId = new Map<string, Component>(model.components.map((c) => [c.id, c]));
  const targets = model.flows.filter((f) => f.from === waf.id).map((f) => byId.get(f.to));
  return {
    cdns: targets.filter((t): t is Cdn => t?.kind === 'cdn'),
    loadBalancers: targets.filter((t): t is LoadBalancer => t?.kind === 'loadBalancer'),
  };
}
