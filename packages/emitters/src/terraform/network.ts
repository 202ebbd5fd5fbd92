import { natGatewayCount, networkZones } from '../aws/network.ts';
import { subnetCidr } from './cidr.ts';
import type { AwsRegion, RegionNetwork, TerraformContext } from './context.ts';
import type { TfAddress } from './document.ts';
import { tfName } from './names.ts';

const TIERS = ['public', 'private', 'data'] as const;

/**
 * network.tf.json: for every AWS region holding something that lives in a VPC, a VPC with a public, a private and a
 * data subnet in each of the region's zones; an internet gateway and NAT gateways (as the region's `network` says:
 * a count, or one per zone, which is also the default so a zone's loss does not cut the others off); a public route
 * table to the internet gateway, one private route table per zone to a NAT gateway, and a data route table with no
 * route out of the VPC.
 */
export function emitNetworks(ctx: TerraformContext): void {
  for (const region of ctx.regions.values()) {
    const zones = networkZones(ctx.model, region.region);
    if (zones) ctx.networks.set(region.region.id, emitNetwork(ctx, region, zones));
  }
}

function emitNetwork(ctx: TerraformContext, region: AwsRegion, zones: readonly string[]): RegionNetwork {
  const { doc } = ctx;
  const file = 'network.tf.json';
  const provider = region.provider;
  const literalCidr = region.region.cidr;
  const cidr =
    literalCidr ??
    doc.variable(`vpc_cidr_${region.alias}`, {
      type: 'string',
      description: `The IPv4 range of the VPC in ${region.region.id} (the model gives the region no cidr)`,
    }).ref;
  const vpc = doc.resource(file, 'aws_vpc', region.alias, {
    provider,
    cidr_block: cidr,
    enable_dns_support: true,
    enable_dns_hostnames: true,
    tags: ctx.regionTags(region, 'vpc'),
  });

  // Subnets: three tiers x the region's zones, carved from the VPC range in equal blocks (a /16 gives /20s).
  const slots = TIERS.length * zones.length;
  const newBits = Math.max(4, Math.ceil(Math.log2(Math.max(slots, 1))));
  const declared = region.region.network?.subnets ?? [];
  const subnets = { public: [] as TfAddress[], private: [] as TfAddress[], data: [] as TfAddress[] };
  TIERS.forEach((tier, t) => {
    zones.forEach((zone, z) => {
      const index = t * zones.length + z;
      const given = declared.find((s) => s.tier === tier && s.cidr && (s.zones ?? []).includes(zone))?.cidr;
      const subnetRange =
        given ??
        (literalCidr
          ? subnetCidr(literalCidr, newBits, index)
          : `\${cidrsubnet(${cidr.slice(2, -1)}, ${newBits}, ${index})}`);
      subnets[tier].push(
        doc.resource(file, 'aws_subnet', `${region.alias}_${tier}_${tfName(zone)}`, {
          provider,
          vpc_id: vpc.attr('id'),
          availability_zone: zone,
          cidr_block: subnetRange,
          map_public_ip_on_launch: false,
          tags: {
            ...ctx.regionTags(region, `${tier}-${zone}`),
            'meridian:subnet-tier': tier,
            // The AWS Load Balancer Controller places internet-facing and internal load balancers by these tags.
            ...(tier === 'public' ? { 'kubernetes.io/role/elb': '1' } : {}),
            ...(tier === 'private' ? { 'kubernetes.io/role/internal-elb': '1' } : {}),
          },
        }),
      );
    });
  });

  const network = region.region.network;
  const hasInternet = network?.internetGateway ?? true;
  let igw: TfAddress | undefined;
  if (hasInternet) {
    igw = doc.resource(file, 'aws_internet_gateway', region.alias, {
      provider,
      vpc_id: vpc.attr('id'),
      tags: ctx.regionTags(region, 'igw'),
    });
    const publicRoutes = doc.resource(file, 'aws_route_table', `${region.alias}_public`, {
      provider,
      vpc_id: vpc.attr('id'),
      tags: ctx.regionTags(region, 'public'),
    });
    doc.resource(file, 'aws_route', `${region.alias}_public_internet`, {
      provider,
      route_table_id: publicRoutes.attr('id'),
      destination_cidr_block: '0.0.0.0/0',
      gateway_id: igw.attr('id'),
    });
    subnets.public.forEach((subnet, z) => {
      doc.resource(file, 'aws_route_table_association', `${region.alias}_public_${tfName(zones[z] ?? '')}`, {
        provider,
        subnet_id: subnet.attr('id'),
        route_table_id: publicRoutes.attr('id'),
      });
    });
  }

  const natCount = natGatewayCount(region.region, zones);
  const nats: TfAddress[] = [];
  for (let z = 0; z < natCount; z++) {
    const zone = tfName(zones[z] ?? '');
    const eip = doc.resource(file, 'aws_eip', `${region.alias}_nat_${zone}`, {
      provider,
      domain: 'vpc',
      tags: ctx.regionTags(region, `nat-${zones[z]}`),
    });
    nats.push(
      doc.resource(file, 'aws_nat_gateway', `${region.alias}_${zone}`, {
        provider,
        allocation_id: eip.attr('id'),
        subnet_id: subnets.public[z]?.attr('id'),
        tags: ctx.regionTags(region, `nat-${zones[z]}`),
        // A NAT gateway routes out only once the VPC has its internet gateway (provider docs, aws_nat_gateway).
        depends_on: igw ? [igw.address] : undefined,
      }),
    );
  }
  subnets.private.forEach((subnet, z) => {
    const zone = tfName(zones[z] ?? '');
    const routes = doc.resource(file, 'aws_route_table', `${region.alias}_private_${zone}`, {
      provider,
      vpc_id: vpc.attr('id'),
      tags: ctx.regionTags(region, `private-${zones[z]}`),
    });
    const nat = nats.length ? nats[z % nats.length] : undefined;
    if (nat) {
      doc.resource(file, 'aws_route', `${region.alias}_private_${zone}_nat`, {
        provider,
        route_table_id: routes.attr('id'),
        destination_cidr_block: '0.0.0.0/0',
        nat_gateway_id: nat.attr('id'),
      });
    }
    doc.resource(file, 'aws_route_table_association', `${region.alias}_private_${zone}`, {
      provider,
      subnet_id: subnet.attr('id'),
      route_table_id: routes.attr('id'),
    });
  });
  // Data subnets reach nothing outside the VPC: databases and caches need no internet route.
  const dataRoutes = doc.resource(file, 'aws_route_table', `${region.alias}_data`, {
    provider,
    vpc_id: vpc.attr('id'),
    tags: ctx.regionTags(region, 'data'),
  });
  subnets.data.forEach((subnet, z) => {
    doc.resource(file, 'aws_route_table_association', `${region.alias}_data_${tfName(zones[z] ?? '')}`, {
      provider,
      subnet_id: subnet.attr('id'),
      route_table_id: dataRoutes.attr('id'),
    });
  });
  return { vpc, cidr, zones, subnets };
}
