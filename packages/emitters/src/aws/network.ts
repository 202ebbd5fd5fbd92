import { findProviderRegion, placementOf, type Region, type Topology, traitsOf } from '@meridian/topology';
import { isOnAws } from './platform.ts';
import { zonesNeeded } from './vpc-services.ts';

/**
 * The zones a region's VPC spans, or undefined when nothing of the region lives in a VPC: the zones the model
 * declares, else those its components are placed in, else the region's first three published zones; topped up from
 * the published zones to what its services need (nexora's one-zone DR region still gets a second zone for its EKS
 * control plane, its nodes stay in the declared zone). Written out by both AWS emitters, so nothing is looked up.
 */
export function networkZones(model: Topology, region: Region): string[] | undefined {
  let needed = 0;
  const used = new Set<string>();
  for (const component of model.components) {
    const service = traitsOf(component.kind).awsService;
    const zones = service ? zonesNeeded[service] : 0;
    if (!zones || !isOnAws(component)) continue;
    const placement = placementOf(model, component);
    if (placement.region !== region.id) continue;
    needed = Math.max(needed, zones);
    for (const zone of placement.zones) used.add(zone);
  }
  if (needed === 0) return undefined;
  const published = findProviderRegion('aws', region.code)?.zones ?? [];
  const zones = region.zones.length ? [...region.zones] : used.size ? [...used].sort() : published.slice(0, 3);
  for (const zone of published) {
    if (zones.length >= needed) break;
    if (!zones.includes(zone)) zones.push(zone);
  }
  return zones;
}

/**
 * How many NAT gateways a region's VPC gets: none without an internet gateway, else the model's count (in the first
 * zones), else one per zone, so one zone's loss does not cut the others off.
 */
export function natGatewayCount(region: Region, zones: readonly string[]): number {
  const network = region.network;
  if (network?.internetGateway === false) return 0;
  if (network?.natGateways === undefined || network.natGateways === 'one-per-zone') return zones.length;
  return Math.min(network.natGateways, zones.length);
}
