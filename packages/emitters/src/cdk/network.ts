import { natGatewayCount } from '../aws/network.ts';
import { code, tsValue } from './code.ts';
import type { CdkContext, StackPlan } from './context.ts';

/**
 * For every AWS region holding something that lives in a VPC: one VPC with a public, a private (egress through
 * NAT) and a data (isolated) subnet in each zone, the zones written out (the model's, else the region's first
 * three published ones, topped up to what its services need: `networkZones`, shared with the Terraform emitter) so
 * synthesis needs no availability-zone lookup; NAT gateways as the region's `network` says (`natGatewayCount`);
 * flow logs of all traffic to CloudWatch Logs.
 */
export function planNetworks(ctx: CdkContext): void {
  for (const stack of ctx.stacks.values()) if (ctx.zonesOf(stack).length) planNetwork(ctx, stack);
}

function planNetwork(ctx: CdkContext, stack: StackPlan): void {
  stack.use('ec2');
  const zones = ctx.zonesOf(stack);
  const region = stack.region;
  const network = region.network;
  const hasInternet = network?.internetGateway ?? true;
  const nats = natGatewayCount(region, zones);
  const cidr = region.cidr
    ? region.cidr
    : stack.input({
        name: 'vpcCidr',
        type: 'string',
        doc: `The IPv4 range of the VPC in ${region.id}: the model gives the region no cidr.`,
        value: `10.${[...ctx.stacks.keys()].indexOf(region.id)}.0.0/16`,
      });
  const subnet = (name: string, type: string) => ({ name, subnetType: code(`ec2.SubnetType.${type}`) });
  const props = tsValue({
    ipAddresses: code(`ec2.IpAddresses.cidr(${tsValue(cidr)})`),
    availabilityZones: zones,
    natGateways: nats,
    subnetConfiguration: [
      hasInternet ? subnet('public', 'PUBLIC') : undefined,
      subnet('private', nats > 0 ? 'PRIVATE_WITH_EGRESS' : 'PRIVATE_ISOLATED'),
      subnet('data', 'PRIVATE_ISOLATED'),
    ],
    flowLogs: {
      all: {
        destination: code('ec2.FlowLogDestination.toCloudWatchLogs()'),
        trafficType: code('ec2.FlowLogTrafficType.ALL'),
      },
    },
  });
  stack.add(
    [
      `Network of ${region.id} (${region.role}, ${region.jurisdiction}): public, private and data subnets in ${zones.join(', ')};`,
      `${nats} NAT gateway${nats === 1 ? '' : 's'}${network?.natGateways === undefined ? ' (one per zone: the model does not say)' : ''}.`,
    ],
    [`const vpc = new ec2.Vpc(this, 'Vpc', ${props});`],
  );
}

/** The subnets a data store sits in: the isolated data subnets, which have no route out of the VPC. */
export const dataSubnets = code("{ subnetGroupName: 'data' }");
