import type { Cdn, LoadBalancer, Waf } from '@meridian/topology';
import { awsName } from '../aws/names.ts';
import { wafTargets, webAclRules } from '../aws/waf.ts';
import { code, quote, type TsValue, tsValue } from './code.ts';
import type { CdkContext, NagAcknowledgment, StackPlan } from './context.ts';
import { pascalCase } from './names.ts';
import { accessLogs } from './storage.ts';

/**
 * WAFv2 web ACLs and CloudFront distributions where the model has them, as the Terraform emitter makes them. A WAF
 * in front of a CDN is a CLOUDFRONT-scope web ACL in the global stack (us-east-1), attached to the distribution; in
 * front of load balancers, a REGIONAL web ACL in each of their stacks, associated with each. Rules: `webAclRules`.
 * aws-cdk-lib has only the L1 of WAFv2.
 */
export function planEdge(ctx: CdkContext): void {
  const cloudFrontAcls = new Map<string, string>();
  for (const waf of ctx.globalOnAws('waf')) {
    const { cdns, loadBalancers } = wafTargets(ctx.model, waf);
    if (cdns.length) {
      const acl = webAcl(ctx, ctx.global(), waf, 'CLOUDFRONT');
      for (const cdn of cdns) cloudFrontAcls.set(cdn.id, acl);
    }
    const byStack = new Map<StackPlan, LoadBalancer[]>();
    for (const lb of loadBalancers) {
      const stack = ctx.stackOf(lb);
      if (stack?.reachable.get(lb.id)?.kind !== 'load-balancer') continue;
      byStack.set(stack, [...(byStack.get(stack) ?? []), lb]);
    }
    for (const [stack, lbs] of byStack) {
      const acl = webAcl(ctx, stack, waf, 'REGIONAL');
      stack.add(
        [`${waf.id} in front of ${lbs.map((lb) => lb.id).join(', ')}.`],
        lbs.map(
          (lb) =>
            `new wafv2.CfnWebACLAssociation(this, ${quote(`${pascalCase(waf.id)}${pascalCase(stack.variable(lb.id))}Association`)}, ${tsValue(
              {
                resourceArn: code(`${stack.variable(lb.id)}.loadBalancerArn`),
                webAclArn: code(`${acl}.attrArn`),
              },
            )});`,
        ),
      );
    }
  }
  for (const cdn of ctx.globalOnAws('cdn')) planDistribution(ctx, cdn, cloudFrontAcls.get(cdn.id));
}

function visibility(metric: string): TsValue {
  return { cloudWatchMetricsEnabled: true, metricName: metric, sampledRequestsEnabled: true };
}

function webAcl(ctx: CdkContext, stack: StackPlan, waf: Waf, scope: 'CLOUDFRONT' | 'REGIONAL'): string {
  stack.use('wafv2');
  const name = `${stack.variable(waf.id)}Acl`;
  const metric = awsName(`${ctx.model.name}-${waf.id}`, 128);
  const rules = webAclRules(waf).map(
    (rule): TsValue =>
      rule.kind === 'rate-limit'
        ? {
            name: rule.name,
            priority: rule.priority,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: rule.limit, aggregateKeyType: 'IP' } },
            visibilityConfig: visibility(`${metric}-rate-limit`),
          }
        : {
            name: rule.name,
            priority: rule.priority,
            overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { name: rule.group, vendorName: 'AWS' } },
            visibilityConfig: visibility(`${metric}-${rule.group}`),
          },
  );
  const comment = [
    `${waf.id}: AWS WAF web ACL, ${scope === 'CLOUDFRONT' ? 'CLOUDFRONT scope (us-east-1), for its CloudFront distributions' : `REGIONAL scope, for its load balancers in ${stack.region.id}`}.`,
  ];
  if (waf.rateLimitPerIp !== undefined)
    comment.push(`Blocks an IP above ${waf.rateLimitPerIp} requests per 5 minutes (AWS WAF's rate-rule window).`);
  stack.add(comment, [
    `const ${name} = new wafv2.CfnWebACL(this, ${quote(pascalCase(name))}, ${tsValue({
      name: awsName(`${ctx.model.name}-${waf.id}${scope === 'REGIONAL' ? `-${stack.region.id}` : ''}`, 128),
      description: `${waf.kind} ${waf.id}`,
      scope,
      defaultAction: { allow: {} },
      rules: rules.length ? rules : undefined,
      visibilityConfig: visibility(metric),
    })});`,
    ctx.tag(stack, name, waf.id),
  ]);
  return name;
}

/**
 * A CloudFront distribution: its origins are what the CDN sends requests to (a load balancer of the app, read across
 * regions; else a DNS name asked for at deployment), over HTTPS only with TLS 1.2; viewers redirected to HTTPS,
 * compressed, cached with CloudFront's managed policies (caching disabled and every viewer header but Host passed on
 * when the model says it caches dynamic responses, else CachingOptimized), its WAF's web ACL attached, standard logs
 * to the global stack's log bucket.
 */
function planDistribution(ctx: CdkContext, cdn: Cdn, acl: string | undefined): void {
  const stack = ctx.global();
  stack.use('cloudfront', 'origins');
  const name = stack.variable(cdn.id);
  const id = pascalCase(name);
  const targets = ctx.model.flows.filter((f) => f.from === cdn.id).map((f) => f.to);
  const statements: string[] = [];
  // The default behavior goes to the first origin the model draws; the others have no path to route by.
  const origins = (targets.length ? targets : [undefined]).slice(0, 1).map((target) => {
    const lb = target ? ctx.component(target) : undefined;
    const owner = lb ? ctx.stackOf(lb) : undefined;
    const reach = lb && owner ? owner.reachable.get(lb.id) : undefined;
    if (lb && owner && reach?.kind === 'load-balancer') {
      const type = reach.type === 'nlb' ? 'elbv2.NetworkLoadBalancer' : 'elbv2.ApplicationLoadBalancer';
      stack.use('elbv2');
      const expression = ctx.reference(
        stack,
        owner,
        reach.variable,
        type,
        `${lb.id}: an origin of CloudFront ${cdn.id}.`,
      );
      return { target, domain: `${expression}.loadBalancerDnsName` };
    }
    stack.useCore('CfnParameter');
    const parameter = `${name}Origin${target ? pascalCase(target) : ''}`;
    statements.push(
      `const ${parameter} = new CfnParameter(this, ${quote(pascalCase(parameter))}, ${tsValue({
        type: 'String',
        description: target
          ? `The DNS name CloudFront ${cdn.id} fetches ${target} from (the model has no AWS endpoint for it).`
          : `The DNS name of CloudFront ${cdn.id}'s origin (the model draws none).`,
      })});`,
    );
    return { target, domain: `${parameter}.valueAsString` };
  });
  const dynamic = cdn.cachesDynamic ?? false;
  const first = origins[0];
  const logs = accessLogs(ctx, stack);
  statements.push(
    `const ${name} = new cloudfront.Distribution(this, ${quote(id)}, ${tsValue({
      comment: `${cdn.kind} ${cdn.id}`,
      defaultBehavior: {
        origin: code(
          `new origins.HttpOrigin(${first?.domain ?? "''"}, ${tsValue({
            protocolPolicy: code('cloudfront.OriginProtocolPolicy.HTTPS_ONLY'),
            originSslProtocols: [code('cloudfront.OriginSslPolicy.TLS_V1_2')],
          })})`,
        ),
        viewerProtocolPolicy: code('cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS'),
        allowedMethods: code(`cloudfront.AllowedMethods.${dynamic ? 'ALLOW_ALL' : 'ALLOW_GET_HEAD_OPTIONS'}`),
        cachedMethods: code('cloudfront.CachedMethods.CACHE_GET_HEAD'),
        compress: true,
        cachePolicy: code(`cloudfront.CachePolicy.${dynamic ? 'CACHING_DISABLED' : 'CACHING_OPTIMIZED'}`),
        originRequestPolicy: dynamic ? code('cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER') : undefined,
      },
      enableIpv6: true,
      webAclId: acl ? code(`${acl}.attrArn`) : undefined,
      enableLogging: true,
      logBucket: code(logs),
      logFilePrefix: `cloudfront/${cdn.id}/`,
    })});`,
    ctx.tag(stack, name, cdn.id),
  );
  const nag: NagAcknowledgment[] = [
    {
      rule: 'CFR1',
      reason: `The model restricts ${cdn.id} to no geography: it serves every country.`,
    },
    {
      rule: 'CFR4',
      reason: `The model names no domain certificate for ${cdn.id}: it answers on its cloudfront.net name with CloudFront's default certificate; add a certificate (and domainNames) to serve a domain with TLS 1.2.`,
    },
  ];
  if (!acl)
    nag.push({
      rule: 'CFR2',
      reason: `The model puts no WAF in front of ${cdn.id}: meridian check judges that design.`,
    });
  statements.push(stack.acknowledge(name, nag));
  stack.reachable.set(cdn.id, { kind: 'distribution', variable: name });
  const others = targets.slice(1);
  stack.add(
    [
      `${cdn.id}: CloudFront distribution${cdn.description ? ` ("${cdn.description}")` : ''}, ${dynamic ? 'passing dynamic responses through uncached' : 'caching'}.`,
      ...(others.length
        ? [
            `Origin ${first?.target}; the model also draws ${others.join(', ')}, with no path to route to them: add behaviors.`,
          ]
        : []),
    ],
    statements,
  );
}
