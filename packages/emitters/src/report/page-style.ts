/**
 * The review page's stylesheet. Text colours keep at least 4.5:1 against their background (WCAG 1.4.3), focus is
 * always visible (2.4.7), and print drops the interactive parts and keeps figures whole on a page.
 */
export const reviewStyle = `
:root { color-scheme: light; --fg: #1b1b1b; --muted: #4a4a4a; --line: #c7c7c7; --link: #0b57d0; --focus: #0b57d0;
  --error: #b3261e; --warning: #8a4b00; --info: #1e5a96; --hl: #0b57d0; --ok: #1e6b2b; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
a { color: var(--link); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: .5rem; z-index: 10; }
header.page { padding: 1rem 1.5rem; border-bottom: 1px solid var(--line); background: #f6f8fa; }
header.page h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
header.page dl { display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; margin: .5rem 0 0; }
header.page dt { font-weight: 600; }
header.page dd { margin: 0 0 0 .4rem; }
header.page div { display: flex; }
code, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
nav.toc ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; padding: 0; margin: .5rem 0 0; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 24rem; gap: 1.5rem; padding: 0 1.5rem 2rem; }
main section { margin-top: 1.5rem; }
h2 { border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
.sev { display: inline-block; min-width: 4.5rem; font-weight: 700; text-transform: uppercase; font-size: .8rem; }
.sev-error { color: var(--error); } .sev-warning { color: var(--warning); } .sev-info { color: var(--info); }
.group { margin: 1rem 0; }
.group h3 { margin: .2rem 0; font-size: 1.05rem; }
.group > p { margin: 0 0 .4rem; color: var(--muted); }
ol.findings { margin: 0; padding-left: 1.4rem; }
ol.findings li { margin: .35rem 0; }
button.finding, button.component { font: inherit; text-align: left; background: none; border: 1px solid transparent; border-radius: 4px;
  padding: .1rem .3rem; color: var(--fg); cursor: pointer; }
button.finding:hover, button.component:hover { border-color: var(--line); background: #f3f6fc; }
button[aria-pressed="true"] { border-color: var(--hl); background: #e8f0fe; }
.hint, .where, .assumed { color: var(--muted); margin: .1rem 0 0 .3rem; font-size: .92em; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.short td { background: #fdecea; }
.bad { color: var(--error); font-weight: 700; } .good { color: var(--ok); font-weight: 700; }
figure { margin: 1rem 0; }
figcaption { color: var(--muted); margin-bottom: .3rem; }
.diagram { overflow: auto; border: 1px solid var(--line); border-radius: 6px; padding: .5rem; }
.diagram svg { max-width: 100%; height: auto; }
.chart svg { max-width: 100%; height: auto; }
g[data-component] { cursor: pointer; }
g[data-component]:focus { outline: none; }
g[data-component]:focus > * { stroke: var(--focus) !important; stroke-width: 4px !important; }
#diagrams svg g.node.hl > rect, #diagrams svg g.node.hl > path, #diagrams svg g.node.hl > polygon,
#diagrams svg g.node.hl > circle, #diagrams svg g.node.hl > g > path { stroke: var(--hl) !important; stroke-width: 7px !important; }
#diagrams svg g.cluster.hl > rect { stroke: var(--hl) !important; stroke-width: 6px !important; }
#diagrams svg g.hl { filter: drop-shadow(0 0 4px #0b57d0) drop-shadow(0 0 8px #0b57d0); }
/* Mermaid's class styles are inline and !important, so a border cannot be overridden: the rest fades instead. */
#diagrams.selecting svg g.node:not(.hl), #diagrams.selecting svg g.cluster:not(.hl),
#diagrams.selecting svg g.edgePaths, #diagrams.selecting svg g.edgeLabels { opacity: .3; }
ul.tree { list-style: none; padding-left: 1.1rem; margin: .2rem 0; }
ul.tree li { margin: .1rem 0; }
.weakest { color: var(--error); font-weight: 700; }
aside#selection { position: sticky; top: 0; align-self: start; max-height: 100vh; overflow: auto; padding: 1rem;
  border-left: 1px solid var(--line); }
aside#selection h2 { margin-top: 0; font-size: 1.1rem; }
aside#selection dl { margin: .3rem 0; }
aside#selection dt { font-weight: 600; margin-top: .3rem; }
aside#selection dd { margin: 0 0 0 .5rem; overflow-wrap: anywhere; }
aside#selection pre { white-space: pre-wrap; background: #f6f8fa; padding: .4rem; border-radius: 4px; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; } aside#selection { position: static; border-left: 0; } }
@media print {
  body { font-size: 10.5pt; }
  .skip, nav.toc, aside#selection { display: none; }
  .layout { display: block; padding: 0; }
  header.page { background: none; }
  .diagram { border: 0; overflow: visible; }
  figure, tr, .group li { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  section { break-before: auto; }
  #diagrams figure { break-before: page; }
  #diagrams svg g.hl { filter: none; }
  #diagrams.selecting svg g.node, #diagrams.selecting svg g.cluster, #diagrams.selecting svg g.edgePaths,
  #diagrams.selecting svg g.edgeLabels { opacity: 1; }
  a { color: inherit; text-decoration: none; }
}
`;
