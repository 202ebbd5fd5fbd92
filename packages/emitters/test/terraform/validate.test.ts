import { describe, expect, it } from 'vitest';
import { awsProviderSchema } from './support/provider-schema.ts';
import { validateTerraform } from './support/validate.ts';

// The validator that stands in for `terraform validate`: each case breaks one thing a real `terraform validate`
// (or plan) would reject, and must be named by it; the valid base must pass.
const schema = awsProviderSchema();
/** A Terraform interpolation of `expression`. */
const ref = (expression: string) => `\${${expression}}`;

function base(): Record<string, Record<string, unknown>> {
  return {
    'versions.tf.json': {
      terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: `= ${schema.version}` } } },
      provider: { aws: [{ alias: 'eu_west_1', region: 'eu-west-1' }] },
    },
    'variables.tf.json': { variable: { vpc_cidr: { type: 'string', description: 'the VPC range' } } },
    'network.tf.json': {
      resource: {
        aws_vpc: { main: { provider: 'aws.eu_west_1', cidr_block: ref('var.vpc_cidr'), tags: { a: 'b' } } },
        aws_subnet: {
          a: {
            provider: 'aws.eu_west_1',
            vpc_id: ref('aws_vpc.main.id'),
            cidr_block: ref('cidrsubnet(var.vpc_cidr, 4, 0)'),
          },
        },
        aws_eks_node_group: {
          ng: {
            provider: 'aws.eu_west_1',
            cluster_name: 'c',
            node_role_arn: 'arn:aws:iam::1:role/x',
            subnet_ids: [ref('aws_subnet.a.id')],
            scaling_config: { min_size: 1, max_size: 2, desired_size: 1 },
            taint: [{ key: 'k', effect: 'NO_SCHEDULE' }],
          },
        },
      },
      output: { vpc: { value: ref('aws_vpc.main.arn') } },
    },
  };
}

function withChange(change: (files: ReturnType<typeof base>) => void): string[] {
  const files = base();
  change(files);
  return validateTerraform(files, schema);
}

type Body = Record<string, unknown>;
const resources = (files: ReturnType<typeof base>) =>
  files['network.tf.json']?.resource as Record<string, Record<string, Body>>;
/** The body of one resource of the base configuration. */
const body = (files: ReturnType<typeof base>, type: string, name: string): Body => {
  const found = resources(files)[type]?.[name];
  if (!found) throw new Error(`no ${type}.${name} in the base`);
  return found;
};

describe('validateTerraform', () => {
  it('accepts a valid configuration', () => {
    expect(validateTerraform(base(), schema)).toEqual([]);
  });

  it.each([
    ['an unknown resource type', (f) => (resources(f).aws_vpcc = { x: {} }), /aws_vpcc: no such resource type/],
    ['an unknown argument', (f) => (body(f, 'aws_vpc', 'main').cidr = 'x'), /aws_vpc.main.cidr: no such argument/],
    ['a string for a bool', (f) => (body(f, 'aws_vpc', 'main').enable_dns_support = 'yes'), /expected bool/],
    ['a string for a list', (f) => (body(f, 'aws_eks_node_group', 'ng').subnet_ids = 'subnet-1'), /expected a list/],
    ['a list for a map', (f) => (body(f, 'aws_vpc', 'main').tags = ['a']), /expected a map/],
    [
      'two blocks where one is allowed',
      (f) => (body(f, 'aws_eks_node_group', 'ng').scaling_config = [{ min_size: 1 }, { min_size: 2 }]),
      /scaling_config: a block of at most one/,
    ],
    [
      'a block that is no object',
      (f) => (body(f, 'aws_eks_node_group', 'ng').taint = ['x']),
      /a block must be an object/,
    ],
    [
      'an unknown nested argument',
      (f) => ((body(f, 'aws_eks_node_group', 'ng').scaling_config as Record<string, unknown>).size = 1),
      /scaling_config.size: no such argument/,
    ],
    [
      'a missing required argument',
      (f) => delete body(f, 'aws_eks_node_group', 'ng').cluster_name,
      /required cluster_name is missing/,
    ],
    [
      'a missing required block',
      (f) => delete body(f, 'aws_eks_node_group', 'ng').scaling_config,
      /required scaling_config is missing/,
    ],
    [
      'a reference to a resource not emitted',
      (f) => (body(f, 'aws_subnet', 'a').vpc_id = ref('aws_vpc.other.id')),
      /aws_vpc.other is not emitted/,
    ],
    [
      'an attribute the type does not export',
      (f) => (body(f, 'aws_subnet', 'a').vpc_id = ref('aws_vpc.main.vpc_arn')),
      /exports no attribute vpc_arn/,
    ],
    [
      'a reference without an attribute',
      (f) => (body(f, 'aws_subnet', 'a').vpc_id = ref('aws_vpc.main')),
      /names no attribute/,
    ],
    ['an undeclared variable', (f) => (body(f, 'aws_vpc', 'main').cidr_block = ref('var.cidr')), /no variable cidr/],
    [
      'a function not allowed',
      (f) => (body(f, 'aws_vpc', 'main').cidr_block = ref('file("x")')),
      /function file is not allowed/,
    ],
    [
      'an undeclared provider alias',
      (f) => (body(f, 'aws_vpc', 'main').provider = 'aws.us_east_1'),
      /is no declared aws alias/,
    ],
    [
      'depends_on naming nothing',
      (f) => (body(f, 'aws_vpc', 'main').depends_on = ['aws_subnet.b']),
      /aws_subnet.b" is not an emitted resource/,
    ],
    [
      'an output of a missing attribute',
      (f) => ((f['network.tf.json'] as Body).output = { vpc: { value: ref('aws_vpc.main.nope') } }),
      /exports no attribute nope/,
    ],
    [
      'an unpinned provider',
      (f) =>
        ((
          (f['versions.tf.json'] as Body).terraform as { required_providers: { aws: { version: string } } }
        ).required_providers.aws.version = '>= 5.0'),
      /does not pin/,
    ],
    [
      'a variable of another type than its argument',
      (f) => (body(f, 'aws_eks_node_group', 'ng').scaling_config = { min_size: ref('var.vpc_cidr'), max_size: 2 }),
      /variable vpc_cidr is string, the argument number/,
    ],
    ['an unknown top-level block', (f) => ((f['network.tf.json'] as Body).module = {}), /not a top-level block/],
  ] satisfies [string, (files: ReturnType<typeof base>) => unknown, RegExp][])(
    'rejects %s',
    (_name, change, message) => {
      const problems = withChange(change);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.join('\n')).toMatch(message);
    },
  );
});
