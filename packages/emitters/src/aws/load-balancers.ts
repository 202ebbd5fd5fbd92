import type { LoadBalancer, Region } from '@meridian/topology';
import { type AwsTarget, unsupported } from './unsupported.ts';

/** A load balancer's listeners: the modelled ones, else TLS on 443 (HTTPS on an ALB, TLS on an NLB). */
export function listenersOf(lb: LoadBalancer): NonNullable<LoadBalancer['listeners']> {
  if (lb.listeners?.length) return lb.listeners;
  return [{ protocol: lb.type === 'alb' ? 'https' : 'tls', port: 443 }];
}

/** Refuses an internet-facing load balancer in a region whose VPC has no internet gateway to face it. */
export function refuseInternetFacingWithoutGateway(target: AwsTarget, lb: LoadBalancer, region: Region): void {
  if (lb.scheme === 'internet-facing' && region.network?.internetGateway === false) {
    throw unsupported(target, `${lb.id} is internet-facing in a VPC without an internet gateway`, {
      path: ['components', lb.id, 'scheme'],
      hint: `make it internal, or give ${region.id} network.internetGateway: true`,
    });
  }
}
