/**
 * The review page's one script (its sha256 is the only script the page's CSP allows). It reads the review data
 * embedded as JSON and wires the two links of issue 21: a finding highlights its components in every diagram, a
 * component (in a diagram or the components table) lists its findings, declared and assumed facts and the line that
 * declared it. Plain DOM, textContent only (no HTML from data), keyboard as well as pointer.
 */
export const reviewScript = `(() => {
  'use strict';
  const data = JSON.parse(document.getElementById('review-data').textContent);
  const findings = new Map(data.findings.map((f) => [f.id, f]));
  const components = new Map(data.components.map((c) => [c.id, c]));
  const panel = document.getElementById('selection-body');
  const title = document.getElementById('selection-title');
  const status = document.getElementById('selection-status');
  const nodesOf = (id) => document.querySelectorAll('#diagrams g[data-component="' + CSS.escape(id) + '"]');
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };
  const button = (kind, id, text) => {
    const b = el('button', text, kind);
    b.type = 'button';
    b.dataset[kind] = id;
    return b;
  };
  const diagrams = document.getElementById('diagrams');
  function clear() {
    diagrams.classList.remove('selecting');
    for (const e of document.querySelectorAll('.hl')) e.classList.remove('hl');
    for (const b of document.querySelectorAll('[aria-pressed="true"]')) b.setAttribute('aria-pressed', 'false');
  }
  function highlight(ids) {
    let count = 0;
    for (const id of ids) for (const n of nodesOf(id)) { n.classList.add('hl'); count++; }
    // The rest of each diagram fades, so the selection stands out whatever border the finding overlay drew.
    if (count > 0) diagrams.classList.add('selecting');
    return count;
  }
  function where(location) {
    return location ? location.file + ':' + location.line + ':' + location.column : undefined;
  }
  function views(id) {
    return [...nodesOf(id)].map((n) => n.closest('figure').dataset.title);
  }
  function selectFinding(id) {
    const f = findings.get(id);
    if (!f) return;
    clear();
    const drawn = highlight(f.components);
    for (const b of document.querySelectorAll('button[data-finding="' + id + '"]')) b.setAttribute('aria-pressed', 'true');
    title.textContent = f.severity + ' ' + f.rule;
    panel.replaceChildren();
    panel.append(el('p', f.message), el('p', 'hint: ' + f.hint, 'hint'));
    if (f.location) panel.append(el('p', 'at ' + where(f.location), 'where'));
    const list = el('ul');
    for (const c of f.components) {
      const li = el('li');
      li.append(button('component', c, c));
      const shown = views(c);
      li.append(el('span', shown.length ? ' in ' + shown.join(', ') : ' (not drawn)', 'where'));
      list.append(li);
    }
    panel.append(el('h3', 'Components'), list);
    if (f.assumptions.length) {
      const a = el('ul');
      for (const text of f.assumptions) a.append(el('li', text));
      panel.append(el('h3', 'Assumed'), a);
    }
    status.textContent = f.rule + ': ' + f.components.length + ' components, ' + drawn + ' nodes highlighted';
  }
  function selectComponent(id) {
    const c = components.get(id);
    if (!c) return;
    clear();
    highlight([id]);
    for (const b of document.querySelectorAll('button[data-component="' + CSS.escape(id) + '"]')) b.setAttribute('aria-pressed', 'true');
    title.textContent = c.id;
    panel.replaceChildren();
    panel.append(el('p', c.kind + ', ' + c.tier + ' tier'));
    if (c.source) {
      panel.append(el('h3', 'Declared at ' + where(c.source)));
      if (c.source.text) panel.append(el('pre', c.source.text));
    }
    const found = el('ul');
    for (const fid of c.findings) {
      const f = findings.get(fid);
      const li = el('li');
      li.append(el('span', f.severity + ' ' + f.rule + ': ', 'sev sev-' + f.severity), button('finding', fid, f.message));
      found.append(li);
    }
    panel.append(el('h3', 'Findings (' + c.findings.length + ')'), c.findings.length ? found : el('p', 'none'));
    const declared = el('dl');
    for (const [field, value] of c.declared) declared.append(el('dt', field), el('dd', value));
    panel.append(el('h3', 'Declared facts'), declared);
    const assumed = el('ul');
    for (const text of c.assumed) assumed.append(el('li', text));
    panel.append(el('h3', 'Assumed facts'), c.assumed.length ? assumed : el('p', 'none: every fact the rules read is stated'));
    status.textContent = c.id + ': ' + c.findings.length + ' findings';
  }
  document.addEventListener('click', (event) => {
    const target = event.target.closest('[data-finding], [data-component]');
    if (!target) return;
    if (target.dataset.finding) selectFinding(target.dataset.finding);
    else selectComponent(target.dataset.component);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      clear();
      title.textContent = 'Selection';
      panel.replaceChildren(el('p', 'Choose a finding or a component.'));
      status.textContent = 'selection cleared';
      return;
    }
    const node = event.target.closest && event.target.closest('g[data-component]');
    if (node && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      selectComponent(node.dataset.component);
    }
  });
  document.documentElement.dataset.ready = 'true';
})();
`;
