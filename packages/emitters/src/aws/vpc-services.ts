import type { AwsService } from '@meridian/topology';

/**
 * Whether an AWS service's resources sit in the region's VPC (subnets, security groups): a region gets a network
 * only when something of these runs in it. One entry per service, so a service added without its answer does not
 * compile.
 */
export const livesInVpc: Readonly<Record<AwsService, boolean>> = {
  route53: false,
  cloudfront: false,
  wafv2: false,
  apigateway: false,
  elbv2: true,
  eks: true,
  lambda: false,
  rds: true,
  elasticache: true,
  sqs: false,
  msk: true,
  s3: false,
  glue: false,
  athena: false,
  secretsmanager: false,
  ecr: false,
  cloudwatch: false,
};
