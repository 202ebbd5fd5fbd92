import type { LoadBalancer } from '@meridian/topology';
import { listenersOf, refuseInternetFacingWithoutGateway } from '../aws/load-balancers.ts';
import { awsName } from '../aws/names.ts';
import { EmitError } from '../errors.ts';
import { sloAlarms } from './alarms.ts';
import { code, quote, type TsValue, tsValue } from './code.ts';
import type { CdkContext, NagAcknowledgment, StackPlan } from './context.ts';
import { accessLogs } from './storage.ts';

/**
 * Application load balancers: in the public subnets when internet-facing (else the private ones), behind a security
 * group of their own, invalid header fields dropped, deletion protection, access logs to the region's log bucket,
 * and the modelled listeners (HTTPS 443 when the model lists none) answering 404 until the cluster's ingress
 * controller adds its rules. A TLS listener's certificate is a CloudFormation parameter: the model names none, and
 * a parameter is asked for at deployment instead of guessed here. Network load balancers: see `planNetworkLoadBalancer`.
 */
export function planLoadBalancers(ctx: CdkContext): void {
  for (const { component: lb, stack } of ctx.regionalOnAws('loadBalancer')) {
    if (lb.type === 'nlb') planNetworkLoadBalancer(ctx, stack, lb);
    else planLoadBalancer(ctx, stack, lb);
  }
}

/** What both kinds of load balancer start with: the refusal of a public one without a gateway, names, log bucket. */
function begin(ctx: CdkContext, stack: StackPlan, lb: LoadBalancer) {
  refuseInternetFacingWithoutGateway('cdk', lb, stack.region);
  stack.use('ec2', 'elbv2');
  const name = stack.variable(lb.id);
  return {
    internetFacing: lb.scheme === 'internet-facing',
    name,
    id: name[0]?.toUpperCase() + name.slice(1),
    logs: accessLogs(ctx, stack),
    listeners: listenersOf(lb),
  };
}

/** The certificate parameter of a load balancer's TLS listeners: the model names none, so it is asked at deployment. */
function certificateParameter(stack: StackPlan, lb: LoadBalancer, name: string, id: string): string {
  stack.useCore('CfnParameter');
  return `const ${name}Certificate = new CfnParameter(this, ${quote(`${id}CertificateArn`)}, ${tsValue({
    type: 'String',
    description: `The ACM certificate (in ${stack.region.code}) of ${lb.id}'s ${lb.type === 'alb' ? 'HTTPS' : 'TLS'} listeners: the model names none.`,
  })});`;
}

function planLoadBalancer(ctx: CdkContext, stack: StackPlan, lb: LoadBalancer): void {
  const { internetFacing, name, id, logs, listeners } = begin(ctx, stack, lb);
  const secure = listeners.some((l) => l.protocol === 'https');
  const statements: string[] = [];
  if (secure) statements.push(certificateParameter(stack, lb, name, id));
  statements.push(
    `const ${name} = new elbv2.ApplicationLoadBalancer(this, ${quote(id)}, ${tsValue({
      loadBalancerName: awsName(lb.id, 32),
      vpc: code('vpc'),
      internetFacing,
      vpcSubnets: code(`{ subnetGroupName: '${internetFacing ? 'public' : 'private'}' }`),
      dropInvalidHeaderFields: true,
      deletionProtection: true,
    })});`,
    `${name}.logAccessLogs(${logs}, ${quote(`elb/${lb.id}`)});`,
  );
  for (const listener of listeners) {
    if (listener.protocol !== 'https' && listener.protocol !== 'http') {
      throw new EmitError('cdk-unsupported', `${lb.id}: an ALB listens on HTTP or HTTPS, not ${listener.protocol}`, {
        path: ['components', lb.id, 'listeners'],
        hint: "use protocol 'http' or 'https', or type 'nlb'",
      });
    }
    const https = listener.protocol === 'https';
    const options: Record<string, TsValue> = {
      port: listener.port,
      protocol: code(`elbv2.ApplicationProtocol.${https ? 'HTTPS' : 'HTTP'}`),
      certificates: https ? [code(`elbv2.ListenerCertificate.fromArn(${name}Certificate.valueAsString)`)] : undefined,
      sslPolicy: https ? code('elbv2.SslPolicy.RECOMMENDED_TLS') : undefined,
      open: internetFacing,
      defaultAction: code(
        "elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'no route' })",
      ),
    };
    statements.push(
      `${name}.addListener(${quote(`${listener.protocol.toUpperCase()}${listener.port}`)}, ${tsValue(options)});`,
    );
  }
  const nag: NagAcknowledgment[] = [];
  if (internetFacing) {
    nag.push({
      rule: 'EC23',
      reason: `${lb.id} is internet-facing in the model: its listeners take traffic from anywhere, as a public entry point must.`,
    });
  }
  statements.push(ctx.tag(stack, name, lb.id));
  if (nag.length) statements.push(stack.acknowledge(name, nag));
  statements.push(...sloAlarms(ctx.model, stack, name, lb.id));
  stack.reachable.set(lb.id, { kind: 'load-balancer', variable: name, type: lb.type === 'nlb' ? 'nlb' : 'alb' });
  stack.add(
    [
      `${lb.id}: application load balancer, ${internetFacing ? 'internet-facing' : 'internal'}${lb.description ? ` ("${lb.description}")` : ''}.`,
      `Listeners: ${listeners.map((l) => `${l.protocol.toUpperCase()} ${l.port}`).join(', ')}${lb.listeners?.length ? '' : ' (the model lists none: HTTPS 443)'}.`,
    ],
    statements,
  );
}

// NLB listener protocols as aws-cdk-lib names them; an HTTP(S) listener belongs on an ALB.
const nlbProtocols = { tcp: 'TCP', tls: 'TLS', udp: 'UDP' } as const;

/**
 * A network load balancer: in the public subnets when internet-facing (else the private ones), behind a security
 * group of its own that admits its listener ports (from anywhere when internet-facing, else from the VPC),
 * cross-zone balancing as modelled, deletion protection, access logs to the region's log bucket, and the modelled
 * listeners (TLS 443 when none) forwarding to an empty IP target group each, which the cluster's load balancer
 * controller fills: an NLB has no fixed responses. A TLS listener's certificate is a CloudFormation parameter.
 */
function planNetworkLoadBalancer(ctx: CdkContext, stack: StackPlan, lb: LoadBalancer): void {
  const { internetFacing, name, id, logs, listeners } = begin(ctx, stack, lb);
  const statements: string[] = [];
  if (listeners.some((l) => l.protocol === 'tls')) statements.push(certificateParameter(stack, lb, name, id));
  statements.push(
    `const ${name}SecurityGroup = new ec2.SecurityGroup(this, ${quote(`${id}SecurityGroup`)}, ${tsValue({
      vpc: code('vpc'),
      description: `${lb.id}: network load balancer`,
    })});`,
    `const ${name} = new elbv2.NetworkLoadBalancer(this, ${quote(id)}, ${tsValue({
      loadBalancerName: awsName(lb.id, 32),
      vpc: code('vpc'),
      internetFacing,
      vpcSubnets: code(`{ subnetGroupName: '${internetFacing ? 'public' : 'private'}' }`),
      securityGroups: [code(`${name}SecurityGroup`)],
      crossZoneEnabled: lb.crossZone,
      deletionProtection: true,
    })});`,
    `${name}.logAccessLogs(${logs}, ${quote(`elb/${lb.id}`)});`,
  );
  for (const listener of listeners) {
    if (listener.protocol === 'http' || listener.protocol === 'https') {
      throw new EmitError('cdk-unsupported', `${lb.id}: an NLB listens on TCP, TLS or UDP, not ${listener.protocol}`, {
        path: ['components', lb.id, 'listeners'],
        hint: "use protocol 'tcp' or 'tls', or type 'alb'",
      });
    }
    const protocol = nlbProtocols[listener.protocol];
    const tls = listener.protocol === 'tls';
    // The VPC's range as the plain string the stack was given (cdk-nag cannot judge a rule on the VPC's token).
    const vpcCidr = stack.region.cidr ? quote(stack.region.cidr) : 'props.vpcCidr';
    const peer = internetFacing ? 'ec2.Peer.anyIpv4()' : `ec2.Peer.ipv4(${vpcCidr})`;
    const port = listener.protocol === 'udp' ? `ec2.Port.udp(${listener.port})` : `ec2.Port.tcp(${listener.port})`;
    statements.push(
      `${name}SecurityGroup.addIngressRule(${peer}, ${port}, ${quote(`${lb.id} listener ${protocol} ${listener.port}`)});`,
      `${name}.addListener(${quote(`${protocol}${listener.port}`)}, ${tsValue({
        port: listener.port,
        protocol: code(`elbv2.Protocol.${protocol}`),
        certificates: tls ? [code(`elbv2.ListenerCertificate.fromArn(${name}Certificate.valueAsString)`)] : undefined,
        sslPolicy: tls ? code('elbv2.SslPolicy.RECOMMENDED_TLS') : undefined,
        defaultTargetGroups: [
          code(
            `new elbv2.NetworkTargetGroup(this, ${quote(`${id}Targets${listener.port}`)}, ${tsValue({
              vpc: code('vpc'),
              port: listener.port,
              // A TLS listener terminates TLS and forwards TCP (ELB User Guide, "TLS listeners for your NLB").
              protocol: code(`elbv2.Protocol.${tls ? 'TCP' : protocol}`),
              targetType: code('elbv2.TargetType.IP'),
            })})`,
          ),
        ],
      })});`,
    );
  }
  statements.push(ctx.tag(stack, name, lb.id));
  if (internetFacing) {
    statements.push(
      stack.acknowledge(`${name}SecurityGroup`, [
        {
          rule: 'EC23',
          reason: `${lb.id} is internet-facing in the model: its listeners take traffic from anywhere, as a public entry point must.`,
        },
      ]),
    );
  }
  stack.reachable.set(lb.id, { kind: 'load-balancer', variable: name, type: lb.type === 'nlb' ? 'nlb' : 'alb' });
  stack.add(
    [
      `${lb.id}: network load balancer, ${internetFacing ? 'internet-facing' : 'internal'}${lb.description ? ` ("${lb.description}")` : ''}.`,
      `Listeners: ${listeners.map((l) => `${l.protocol.toUpperCase()} ${l.port}`).join(', ')}${lb.listeners?.length ? '' : ' (the model lists none: TLS 443)'}; each forwards to an IP target group the cluster fills.`,
    ],
    statements,
  );
}
