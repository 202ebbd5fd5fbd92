import type { RuleDescriptor } from '../../report/sarif.ts';
import type { Rule } from '../rule.ts';
import { autoscaling } from './autoscaling.ts';
import { capacityN1 } from './capacity-n1.ts';
import { cycle } from './cycle.ts';
import { deltaSchema } from './delta-schema.ts';
import { naming } from './naming.ts';
import { orphan } from './orphan.ts';
import { regionalScope } from './regional-scope.ts';
import { replication } from './replication.ts';
import { residency } from './residency.ts';
import { rpo } from './rpo.ts';
import { rto } from './rto.ts';
import { scheduling } from './scheduling.ts';
import { security } from './security.ts';
import { sla } from './sla.ts';
import { spof } from './spof.ts';

/** Every rule, in the order of issue 4 (and of the `ruleIds` list). */
export const rules: readonly Rule[] = [
  cycle,
  replication,
  spof,
  sla,
  rto,
  rpo,
  capacityN1,
  residency,
  regionalScope,
  orphan,
  scheduling,
  autoscaling,
  naming,
  deltaSchema,
  security,
];

/** Every rule's id, one-line description and default severity (for docs, SARIF and `--help`). */
export const ruleDescriptors: readonly RuleDescriptor[] = rules.map(({ id, description, defaultSeverity }) => ({
  id,
  description,
  defaultSeverity,
}));
