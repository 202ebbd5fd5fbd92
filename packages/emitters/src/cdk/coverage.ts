import { type AwsService, type Component, type Topology, traitsOf } from '@meridian/topology';
import { isOnAws } from '../aws/platform.ts';

/**
 * Which AWS services the CDK emitter makes constructs for. One entry per service, so a service added to the model
 * without an answer here does not compile; a `false` is written into the app's README as a component left out,
 * never emitted half-way.
 */
const emitsService: Readonly<Record<AwsService, boolean>> = {
  route53: true,
  cloudfront: true,
  wafv2: true,
  apigateway: false,
  elbv2: true,
  eks: true,
  lambda: false,
  rds: true,
  // RDS for MySQL / Aurora MySQL: listed as left out until the emitter makes its constructs.
  'rds-mysql': false,
  dynamodb: false,
  elasticache: true,
  sqs: true,
  msk: true,
  s3: true,
  glue: false,
  athena: false,
  secretsmanager: true,
  ecr: false,
  cloudwatch: false,
};

/** Components of the model run by an AWS service the emitter does not make constructs for yet, in model order. */
export function leftOut(model: Topology): Component[] {
  return model.components.filter((c) => {
    const service = traitsOf(c.kind).awsService;
    return service !== undefined && isOnAws(c) && !emitsService[service];
  });
}
