import type { AwsService } from '@meridian/topology';

/**
 * How many zones an AWS service's resources need in the region's VPC: none (not in a VPC), one, or two (an ALB, an
 * EKS control plane, an RDS subnet group and an MSK cluster each need subnets in at least two zones). A region gets
 * a network only when something with a non-zero entry runs in it. One entry per service, so a service added without
 * its answer does not compile.
 */
export const zonesNeeded: Readonly<Record<AwsService, 0 | 1 | 2>> = {
  route53: 0,
  cloudfront: 0,
  wafv2: 0,
  apigateway: 0,
  elbv2: 2,
  eks: 2,
  lambda: 0,
  rds: 2,
  'rds-mysql': 2,
  dynamodb: 0,
  elasticache: 1,
  sqs: 0,
  msk: 2,
  s3: 0,
  glue: 0,
  athena: 0,
  secretsmanager: 0,
  ecr: 0,
  cloudwatch: 0,
};
