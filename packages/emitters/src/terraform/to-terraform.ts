import type { Topology } from '@meridian/topology';
import type { EmittedFile } from '../emitter.ts';
import { emitAlarms } from './alarms.ts';
import { emitCaches } from './caches.ts';
import { TerraformContext } from './context.ts';
import { emitDatabases } from './databases.ts';
import { emitDns } from './dns.ts';
import { TerraformDocument } from './document.ts';
import { emitEdge } from './edge.ts';
import { emitClusters } from './eks.ts';
import { emitLoadBalancers } from './load-balancers.ts';
import { emitMessaging } from './messaging.ts';
import { emitNetworks } from './network.ts';
import { emitProviders } from './providers.ts';
import { emitSecrets } from './secrets.ts';
import { emitFlowRules } from './security-groups.ts';
import { emitObjectStores } from './storage.ts';

/** Options of `toTerraform` (none yet: the model says everything the output depends on). */
export type TerraformOptions = Record<string, never>;

/**
 * Terraform JSON (`*.tf.json`) for the hashicorp/aws provider from a model: providers per region, the regions'
 * networks, and a resource for every component an AWS service runs, each tagged with the component's id. The same
 * model gives the same files, byte for byte. Throws EmitError when the model asks for what AWS cannot do.
 */
export function toTerraform(model: Topology, _options: TerraformOptions = {}): EmittedFile[] {
  const ctx = new TerraformContext(model, new TerraformDocument());
  emitNetworks(ctx);
  emitClusters(ctx);
  const loadBalancers = emitLoadBalancers(ctx);
  emitDatabases(ctx);
  emitCaches(ctx);
  emitMessaging(ctx);
  emitObjectStores(ctx);
  emitSecrets(ctx);
  emitEdge(ctx);
  const healthChecks = emitDns(ctx);
  emitAlarms(ctx, loadBalancers, healthChecks);
  emitFlowRules(ctx);
  // Last: the global alias exists only once something global asked for it.
  emitProviders(ctx);
  return ctx.doc.render();
}
