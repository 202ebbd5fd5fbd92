/** An IAM trust policy letting an AWS service assume a role, as the JSON string `assume_role_policy` takes. */
export function trustPolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
  });
}

/** An IAM policy document (JSON string) of allow statements; resources may hold `${...}` references. */
export function allowPolicy(
  statements: readonly { actions: readonly string[]; resources: readonly string[] }[],
): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({ Effect: 'Allow', Action: s.actions, Resource: s.resources })),
  });
}

/** The ARN of an AWS managed policy in the commercial partition. */
export function managedPolicy(name: string): string {
  return `arn:aws:iam::aws:policy/${name}`;
}
