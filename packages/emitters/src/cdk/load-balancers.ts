import type { LoadBalancer } from '@meridian/topology';
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
 * a parameter is asked for at deployment instead of guessed here. Network load balancers are refused for now.
 */
export function planLoadBalancers(ctx: CdkContext): void {
  for (const { component: lb, stack } of ctx.regionalOnAws('loadBalancer')) planLoadBalancer(ctx, stack, lb);
}

function planLoadBalancer(ctx: CdkContext, stack: StackPlan, lb: LoadBalancer): void {
  if (lb.type !== 'alb') {
    throw new EmitError('cdk-unsupported', `${lb.id}: the cdk emitter does not emit ${lb.type.toUpperCase()}s yet`, {
      path: ['components', lb.id, 'type'],
      hint: 'emit this model with `meridian emit terraform`, or model the load balancer as an alb',
    });
  }
  const internetFacing = lb.scheme === 'internet-facing';
  if (internetFacing && stack.region.network?.internetGateway === false) {
    throw new EmitError('cdk-unsupported', `${lb.id} is internet-facing in a VPC without an internet gateway`, {
      path: ['components', lb.id, 'scheme'],
      hint: `make it internal, or give ${stack.region.id} network.internetGateway: true`,
    });
  }
  stack.use('ec2', 'elbv2');
  const name = stack.variable(lb.id);
  const id = name[0]?.toUpperCase() + name.slice(1);
  const logs = accessLogs(ctx, stack);
  const listeners = lb.listeners?.length ? lb.listeners : [{ protocol: 'https' as const, port: 443 }];
  const secure = listeners.some((l) => l.protocol === 'https');
  const statements: string[] = [];
  if (secure) {
    stack.useCore('CfnParameter');
    statements.push(
      `const ${name}Certificate = new CfnParameter(this, ${quote(`${id}CertificateArn`)}, ${tsValue({
        type: 'String',
        description: `The ACM certificate (in ${stack.region.code}) of ${lb.id}'s HTTPS listeners: the model names none.`,
      })});`,
    );
  }
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
  stack.reachable.set(lb.id, { kind: 'load-balancer', variable: name });
  stack.add(
    [
      `${lb.id}: application load balancer, ${internetFacing ? 'internet-facing' : 'internal'}${lb.description ? ` ("${lb.description}")` : ''}.`,
      `Listeners: ${listeners.map((l) => `${l.protocol.toUpperCase()} ${l.port}`).join(', ')}${lb.listeners?.length ? '' : ' (the model lists none: HTTPS 443)'}.`,
    ],
    statements,
  );
}
