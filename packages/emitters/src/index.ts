// Public API of @meridian/emitters: every export is named here.
export {
  type EmittedFile,
  type Emitter,
  type EmitterFinding,
  type EmitterFlag,
  runEmitter,
  unsafePath,
} from './emitter.ts';
export { type CdkEmitOptions, cdkEmitter, toCdkApp } from './cdk/emitter.ts';
export { emitters, findEmitter } from './emitters.ts';
export { EmitError, type EmitErrorCode, type EmitErrorLocation } from './errors.ts';
export { type KubernetesEmitOptions, kubernetesEmitter } from './kubernetes/emitter.ts';
export type { Manifest } from './kubernetes/manifest.ts';
export { kubernetesVersion } from './kubernetes/namespaces.ts';
export type { Refusal } from './kubernetes/refusals.ts';
export { type ClusterManifests, toKubernetes } from './kubernetes/to-kubernetes.ts';
export { wireObject } from './kubernetes/render.ts';
export {
  type DiagramBlock,
  type DiagramBlockAttributes,
  findDiagramBlocks,
  type RegeneratedBlock,
  regenerateDiagramBlocks,
} from './mermaid/markdown-blocks.ts';
export { diagramStem, type MermaidEmitOptions, mermaidEmitter } from './mermaid/emitter.ts';
export { type MermaidFinding, type MermaidOptions, toMermaid } from './mermaid/to-mermaid.ts';
export { type MermaidView, mermaidViews } from './mermaid/views.ts';
export { terraformEmitter } from './terraform/emitter.ts';
export { type TerraformOptions, toTerraform } from './terraform/to-terraform.ts';
export { type TrinoEmitOptions, trinoEmitter } from './trino/emitter.ts';
export { type TrinoCatalogs, type TrinoOptions, type TrinoRegionCatalog, toTrino } from './trino/to-trino.ts';
