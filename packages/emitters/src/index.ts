// Public API of @meridian/emitters: every export is named here.
export { EmitError, type EmitErrorCode, type EmitErrorLocation } from './errors.ts';
export { escapeLabel } from './mermaid/escape.ts';
export {
  type DiagramBlock,
  type DiagramBlockAttributes,
  findDiagramBlocks,
  type RegeneratedBlock,
  regenerateDiagramBlocks,
} from './mermaid/markdown-blocks.ts';
