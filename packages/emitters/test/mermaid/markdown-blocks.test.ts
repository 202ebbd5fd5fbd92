import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EmitError } from '../../src/errors.ts';
import { findDiagramBlocks, regenerateDiagramBlocks } from '../../src/mermaid/markdown-blocks.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/markdown/${name}`, import.meta.url), 'utf8');

function errorOf(run: () => unknown): EmitError {
  try {
    run();
  } catch (error) {
    if (error instanceof EmitError) return error;
    throw error;
  }
  throw new Error('expected an EmitError');
}

describe('findDiagramBlocks', () => {
  it('finds each block with its attributes, lines and body, and skips markers inside code fences', () => {
    const blocks = findDiagramBlocks(fixture('current.md'));
    expect(blocks.map((b) => [b.line, b.endLine, b.attributes])).toEqual([
      [5, 10, { src: 'shop.yaml', view: 'region:eu-west-1' }],
      [19, 24, { src: 'dir with space/shop.ts', view: 'whole', direction: 'LR' }],
    ]);
    expect(blocks[0]?.body).toBe('```mermaid\nflowchart TB\n  a --> b\n```\n');
  });

  it('reads findings=check and refuses any other source of findings', () => {
    const ok = '<!-- meridian:diagram src=a.ts findings=check -->\n<!-- /meridian:diagram -->\n';
    expect(findDiagramBlocks(ok)[0]?.attributes).toEqual({ src: 'a.ts', view: 'whole', findings: 'check' });
    const bad = errorOf(() => findDiagramBlocks(ok.replace('findings=check', 'findings=sarif'), 'x.md'));
    expect([bad.code, bad.location]).toEqual(['bad-diagram-marker', { file: 'x.md', line: 1 }]);
  });

  it('reads an empty block', () => {
    expect(findDiagramBlocks(fixture('empty-block.md'))).toEqual([
      { line: 2, endLine: 3, attributes: { src: 'shop.yaml', view: 'data' }, body: '' },
    ]);
  });

  it.each([
    ['unclosed.md', 'unclosed-diagram-block', 3],
    ['nested.md', 'unclosed-diagram-block', 1],
    ['stray-close.md', 'bad-diagram-marker', 3],
    ['no-src.md', 'bad-diagram-marker', 2],
    ['unknown-attribute.md', 'unknown-diagram-attribute', 1],
    ['unreadable.md', 'bad-diagram-marker', 3],
  ])('%s: %s at line %i, with the file and a hint', (name, code, line) => {
    const error = errorOf(() => findDiagramBlocks(fixture(name), `docs/${name}`));
    expect(error.code).toBe(code);
    expect(error.location).toEqual({ file: `docs/${name}`, line });
    expect(error.hint).toMatch(/meridian:diagram|attributes/);
  });
});

describe('regenerateDiagramBlocks', () => {
  it('leaves a current document byte for byte and reports nothing stale', () => {
    const text = fixture('current.md');
    const bodies = new Map([
      ['shop.yaml', 'flowchart TB\n  a --> b\n'],
      ['dir with space/shop.ts', 'flowchart LR\n  c --> d'],
    ]);
    const result = regenerateDiagramBlocks(text, (block) => bodies.get(block.attributes.src) ?? '');
    expect(result.markdown).toBe(text);
    expect(result.blocks.map((b) => b.isStale)).toEqual([false, false]);
  });

  it('rewrites only the stale block and keeps everything around it', () => {
    const text = fixture('current.md');
    const result = regenerateDiagramBlocks(text, (block) =>
      block.line === 5 ? 'flowchart TB\n  a --> b\n  b --> z\n' : 'flowchart LR\n  c --> d\n',
    );
    expect(result.blocks.map((b) => b.isStale)).toEqual([true, false]);
    expect(result.markdown).toBe(text.replace('  a --> b\n```', '  a --> b\n  b --> z\n```'));
    // Regenerating the output again is a fixed point.
    const again = regenerateDiagramBlocks(result.markdown, (block) =>
      block.line === 5 ? 'flowchart TB\n  a --> b\n  b --> z\n' : 'flowchart LR\n  c --> d\n',
    );
    expect(again.blocks.every((b) => !b.isStale)).toBe(true);
    expect(again.markdown).toBe(result.markdown);
  });

  it('fills an empty block', () => {
    const result = regenerateDiagramBlocks(fixture('empty-block.md'), () => 'flowchart TB\n  x\n');
    expect(result.markdown).toBe(
      'Intro\n<!-- meridian:diagram src=shop.yaml view=data -->\n```mermaid\nflowchart TB\n  x\n```\n<!-- /meridian:diagram -->\nOutro\n',
    );
  });

  it('keeps CRLF line endings', () => {
    const result = regenerateDiagramBlocks(fixture('crlf.md'), () => 'new\n');
    expect(result.markdown).toBe(
      'crlf\r\n<!-- meridian:diagram src=a.ts -->\r\n```mermaid\r\nnew\r\n```\r\n<!-- /meridian:diagram -->\r\nend\r\n',
    );
    expect(regenerateDiagramBlocks(result.markdown, () => 'new\n').blocks[0]?.isStale).toBe(false);
  });
});
