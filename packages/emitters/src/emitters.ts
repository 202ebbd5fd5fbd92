import { cdkEmitter } from './cdk/emitter.ts';
import type { Emitter } from './emitter.ts';
import { kubernetesEmitter } from './kubernetes/emitter.ts';
import { mermaidEmitter } from './mermaid/emitter.ts';
import { terraformEmitter } from './terraform/emitter.ts';
import { trinoEmitter } from './trino/emitter.ts';

/** Every target `meridian emit` knows, in the order `meridian emit --list` prints them. */
export const emitters: readonly Emitter[] = [
  mermaidEmitter,
  kubernetesEmitter,
  terraformEmitter,
  cdkEmitter,
  trinoEmitter,
];

/** The emitter registered under `id`, or undefined. */
export function findEmitter(id: string): Emitter | undefined {
  return emitters.find((emitter) => emitter.id === id);
}
