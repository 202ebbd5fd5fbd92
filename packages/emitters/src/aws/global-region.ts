import type { Region, Topology } from '@meridian/topology';

// CloudFront, its WAF web ACLs and certificates, and Route 53 health-check metrics live in us-east-1 only
// (CloudFront Developer Guide, "Requirements for using SSL/TLS certificates with CloudFront"; Route 53 Developer
// Guide, "Monitoring health check status by using CloudWatch").
const GLOBAL_REGION = 'us-east-1';

/**
 * Where both AWS emitters make the model's global components (Route 53 records and health checks, CloudFront, its
 * WAF): the model's own AWS region in us-east-1, else a region `global` there that the model does not declare.
 */
export function globalRegion(model: Topology): Region {
  const own = model.regions.find((r) => r.provider === 'aws' && r.code === GLOBAL_REGION);
  return own ?? { id: 'global', code: GLOBAL_REGION, provider: 'aws', role: 'edge', jurisdiction: 'US', zones: [] };
}
