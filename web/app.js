/*
 * The page: every answer comes from the pmmu command line compiled to WebAssembly
 * (pmmu.js, run through pmmu-run.js), with the same commands and the same JSON a shell user
 * gets: `pmmu quiz ... --json` and `--check` for the exercise, `pmmu run --json --tlb-state`
 * for the scenario and the TLB, `pmmu explain ... --json` for the walk (docs/web.md).
 */
'use strict';

/* The README's example scenario ("Using pmmu"); the browser test checks they are the same. */
const README_EXAMPLE = `cr3 0x00100000
mem32 0x00100004 0x00101027        # PDE[1]: page table at 0x00101000, P W U A
mem32 0x00101000 0x00801025        # PTE[0]: frame 0x00801000, P U A (read-only)
read  0x00400123 user
expect pa 0x000801123
write 0x00400123 user
expect fault 0x7                   # protection, write, user
`;
const SCENARIO_FILE = 'scenario.pmmu'; /* in the module's memory file system */

const page = {
  pmmu: null, /* {run, writeFile} once loaded */
  ready: null, /* a promise, for the tests */
  lastRun: null, /* {ms, accesses, status} */
  tlbByLine: new Map(),
  accessByLine: new Map(),
  quiz: null, /* {args, data, solution} */
};
window.pmmuPage = page;

/* ---- small helpers ------------------------------------------------------------------- */

const $ = (id) => document.getElementById(id);

/* el('td', {class: 'n'}, 'text', child...) */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function setStatus(text, isError) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', !!isError);
}

function message(text, isError) {
  return el('p', { class: isError ? 'message error' : 'message' }, text);
}

const hex = (n, digits) => '0x' + n.toString(16).padStart(digits || 1, '0');

/* Runs `pmmu ARGS`; a JSON command's output parsed (one document), or its error text. */
function runJson(args) {
  const r = page.pmmu.run(args);
  if (r.status !== 0) return { error: (r.err || r.out).trim() || `exit status ${r.status}`, status: r.status };
  try {
    return { data: JSON.parse(r.out) };
  } catch (e) {
    return { error: `pmmu ${args.join(' ')}: output is not JSON (${e.message})` };
  }
}

/* ---- the exercise (pmmu quiz) --------------------------------------------------------- */

const CHECK_FIELDS = {
  '32-bit': ['pde_addr', 'pde', 'pte_addr', 'pte', 'pa', 'fault'],
  pse: ['pde_addr', 'pde', 'pte_addr', 'pte', 'pa', 'fault'],
  pae: ['pdpte_addr', 'pdpte', 'pde_addr', 'pde', 'pte_addr', 'pte', 'pa', 'fault'],
};
const FIELD_LABELS = {
  pdpte_addr: 'PDPTE address', pdpte: 'PDPTE', pde_addr: 'PDE address', pde: 'PDE',
  pte_addr: 'PTE address', pte: 'PTE', pa: 'physical address', fault: '#PF error code',
};

function quizArgs(seed, mode) {
  const args = ['quiz', '--seed', seed];
  if (mode === 'pse') args.push('--pse');
  if (mode === 'pae') args.push('--pae');
  return args;
}

/* The options in the URL: #seed=S&mode=M&decoded=1 (a query string works too). */
function readUrlOptions() {
  const text = location.hash.length > 1 ? location.hash.slice(1) : location.search.slice(1);
  const p = new URLSearchParams(text);
  return { seed: p.get('seed'), mode: p.get('mode'), decoded: p.get('decoded') === '1' };
}

function writeUrlOptions(seed, mode, decoded) {
  const p = new URLSearchParams({ seed, mode });
  if (decoded) p.set('decoded', '1');
  history.replaceState(null, '', '#' + p.toString());
}

function decodeEntry(kind, mode, valueText) {
  const v = BigInt(valueText);
  if (!(v & 1n)) return 'not present';
  const wide = mode === 'pae';
  const names = [[1n, 'W'], [2n, 'U'], [3n, 'PWT'], [4n, 'PCD'], [5n, 'A'], [6n, 'D'], [8n, 'G']];
  const flags = ['P'];
  for (const [bit, name] of names) if ((v >> bit) & 1n) flags.push(name);
  const large = kind === 'PD' && (v >> 7n) & 1n && (wide || mode === 'pse');
  if (large) flags.push('PS');
  if (wide && (v >> 63n) & 1n) flags.push('XD');
  let target;
  if (kind === 'PDPT') target = 'directory ' + hex(v & 0xffffffffff000n, 9);
  else if (large && wide) target = '2 MiB page ' + hex(v & 0xfffffffe00000n, 9);
  else if (large) target = '4 MiB page ' + hex((v & 0xffc00000n) | (((v >> 13n) & 0xfn) << 32n), 9);
  else if (kind === 'PD') target = 'table ' + hex(v & (wide ? 0xffffffffff000n : 0xfffff000n), 9);
  else target = 'frame ' + hex(v & (wide ? 0xffffffffff000n : 0xfffff000n), 9);
  return `${target}  ${flags.join(' ')}`;
}

function renderTables(data, decoded) {
  const size = data.mode === 'pae' ? 8n : 4n;
  return data.tables.map((t) => el('table', { class: 'grid' },
    el('caption', {}, `${t.kind} at ${t.pa}`),
    el('tr', {}, el('th', {}, 'index'), el('th', {}, 'address'), el('th', {}, 'value'),
      decoded ? el('th', {}, 'decoded') : null),
    t.entries.map((e) => el('tr', {},
      el('td', {}, hex(e.index, 3)),
      el('td', {}, hex(BigInt(t.pa) + size * BigInt(e.index), 9)),
      el('td', {}, e.value),
      decoded ? el('td', {}, decodeEntry(t.kind, data.mode, e.value)) : null))));
}

function solutionList(item) {
  const lines = (item.steps || []).map((s) =>
    el('li', { 'data-step': s.name }, `${s.name} [${hex(s.index, 3)}] at ${s.addr} = ${s.value}`));
  const r = item.result || {};
  if (r.pa) lines.push(el('li', { 'data-step': 'pa' }, `pa = ${r.pa}`));
  else if (r.fault)
    lines.push(el('li', { 'data-step': 'fault' }, `#PF error code ${r.fault}, CR2 = ${r.cr2}` + (r.why ? ` (${r.why})` : '')));
  return el('ul', { class: 'solution' }, lines);
}

function renderGrade(box, inputs, result) {
  box.replaceChildren();
  for (const input of Object.values(inputs)) input.classList.remove('ok', 'bad');
  for (const s of result.steps) {
    const input = inputs[s.key];
    if (input) input.classList.add(s.ok ? 'ok' : 'bad');
  }
  const wrong = result.steps.find((s) => !s.ok);
  if (result.correct) box.append(el('p', { class: 'grade ok' }, `Item ${result.item}: correct.`));
  else if (wrong)
    box.append(el('p', { class: 'grade bad' },
      `Item ${result.item}: ${FIELD_LABELS[wrong.key] || wrong.key} is wrong` + (wrong.why ? `: ${wrong.why}` : '.')));
  else box.append(el('p', { class: 'grade bad' }, `Item ${result.item}: not finished.`));
  const right = result.steps.filter((s) => s.ok).map((s) => FIELD_LABELS[s.key] || s.key);
  if (right.length) box.append(el('p', { class: 'grade' }, 'Right so far: ' + right.join(', ') + '.'));
}

function renderItem(item, mode) {
  const inputs = {};
  const grade = el('div', { class: 'grade-box', 'aria-live': 'polite' });
  const reveal = el('div', { class: 'reveal-box' });
  const fields = CHECK_FIELDS[mode] || CHECK_FIELDS['32-bit'];
  const form = el('form', { class: 'answers-form', 'data-item': item.n },
    el('div', { class: 'answers' }, fields.map((f) => {
      inputs[f] = el('input', { name: f, autocomplete: 'off', spellcheck: 'false', placeholder: '0x...' });
      return el('label', {}, FIELD_LABELS[f], inputs[f]);
    })),
    el('div', { class: 'row' },
      el('button', { type: 'submit' }, 'Check'),
      el('button', { type: 'button', class: 'secondary reveal', onclick: () => revealItem(item.n, reveal) }, 'Reveal')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const answer = fields.filter((f) => inputs[f].value.trim() !== '')
      .map((f) => `${f}=${inputs[f].value.trim()}`).join(',');
    if (!answer) {
      grade.replaceChildren(message('Fill in at least one box.'));
      return;
    }
    const r = runJson(page.quiz.args.concat(['--check', answer, '--item', String(item.n), '--json']));
    if (r.error) grade.replaceChildren(message(r.error, true));
    else renderGrade(grade, inputs, r.data);
  });
  return el('div', { class: 'item', id: `item-${item.n}` },
    el('h3', {}, `${item.n}. ${item.access} ${item.va} (${item.priv})`),
    form, grade, reveal);
}

function revealItem(n, box) {
  if (!page.quiz.solution) {
    const r = runJson(page.quiz.args.concat(['--solve', '--json']));
    if (r.error) {
      box.replaceChildren(message(r.error, true));
      return;
    }
    page.quiz.solution = r.data;
  }
  const item = page.quiz.solution.items.find((i) => i.n === n);
  box.replaceChildren(item ? solutionList(item) : message(`no item ${n} in the solution`, true));
}

function generateQuiz(seed, mode, decoded) {
  const out = $('quiz-out');
  const args = quizArgs(seed, mode);
  const r = runJson(args.concat(['--json']));
  if (r.error) {
    out.replaceChildren(message(r.error, true));
    return false;
  }
  page.quiz = { args, data: r.data, solution: null };
  const d = r.data;
  out.replaceChildren(el('div', { class: 'quiz' },
    el('div', { class: 'tables' },
      el('p', { class: 'regs' }, el('span', {}, `seed ${d.seed}`), el('span', {}, `CR0 ${d.cr0}`),
        el('span', {}, `CR3 ${d.cr3}`), el('span', {}, `CR4 ${d.cr4}`), el('span', {}, `EFER ${d.efer}`)),
      renderTables(d, decoded)),
    el('div', { class: 'items' },
      el('p', { class: 'hint' }, 'Translate each address. Give the steps you worked out; leave the others empty. Enter checks.'),
      d.items.map((i) => renderItem(i, d.mode)))));
  return true;
}

function setupQuiz() {
  const form = $('quiz-form');
  const opts = readUrlOptions();
  if (opts.seed) $('quiz-seed').value = opts.seed;
  if (opts.mode && CHECK_FIELDS[opts.mode]) $('quiz-mode').value = opts.mode;
  $('quiz-decoded').checked = opts.decoded;
  const current = () => [$('quiz-seed').value.trim(), $('quiz-mode').value, $('quiz-decoded').checked];
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const [seed, mode, decoded] = current();
    if (generateQuiz(seed, mode, decoded)) writeUrlOptions(seed, mode, decoded);
  });
  $('quiz-decoded').addEventListener('change', () => {
    if (page.quiz) generateQuiz(...current());
  });
  $('quiz-link').addEventListener('click', () => {
    const [seed, mode, decoded] = current();
    writeUrlOptions(seed, mode, decoded);
    const url = location.href;
    const shown = () => setStatus('Link to this exercise: ' + url);
    if (navigator.clipboard && window.isSecureContext)
      navigator.clipboard.writeText(url).then(() => setStatus('Link copied: ' + url), shown);
    else shown();
  });
  /* a shared link opened in a tab that shows the page already */
  window.addEventListener('hashchange', () => {
    const o = readUrlOptions();
    if (!o.seed) return;
    $('quiz-seed').value = o.seed;
    if (CHECK_FIELDS[o.mode]) $('quiz-mode').value = o.mode;
    $('quiz-decoded').checked = o.decoded;
    generateQuiz(...current());
  });
  generateQuiz(...current());
}

/* ---- the scenario (pmmu run --json --tlb-state) --------------------------------------- */

function describeResult(o) {
  const parts = [];
  if (o.op === 'expect') {
    parts.push(el('span', { class: o.ok ? 'pill ok' : 'pill bad' }, o.ok ? 'ok' : 'FAILED'));
    parts.push(o.ok ? o.want : `want ${o.want}, got ${o.got}`);
  } else if (o.op === 'dump32' || o.op === 'dump64') {
    parts.push(`${o.pa} = ${o.value}`);
  } else if (o.va !== undefined) {
    parts.push(el('span', { class: `pill ${o.tlb}` }, o.tlb));
    if (o.pa) parts.push(`PA ${o.pa}`);
    else if (o.fault) parts.push(el('span', { class: 'pill bad' }, '#PF'), `ec ${o.fault.ec}, CR2 ${o.fault.cr2}`);
    else if (o.bus_error) parts.push(el('span', { class: 'pill bad' }, 'bus error'), o.bus_error.pa);
    parts.push(`  ${o.cycles} cycles  `);
    parts.push(el('button', { type: 'button', class: 'pick', onclick: () => selectAccess(o.line) }, 'walk & TLB'));
  } else if (o.fault) {
    parts.push(el('span', { class: 'pill bad' }, `#GP(${o.fault.ec})`), `${o.op} write refused`);
  }
  return parts;
}

/* "scenario.pmmu:3: error: WHAT" lines -> Map(line -> [WHAT]) and the rest. */
function parseErrors(text) {
  const byLine = new Map();
  const other = [];
  const re = new RegExp(`^${SCENARIO_FILE.replace('.', '\\.')}:(\\d+): error: (.*)$`);
  for (const line of text.split('\n').filter((l) => l)) {
    const m = re.exec(line);
    if (m) {
      const n = Number(m[1]);
      if (!byLine.has(n)) byLine.set(n, []);
      byLine.get(n).push(m[2]);
    } else other.push(line);
  }
  return { byLine, other };
}

function runScenario() {
  const source = $('source').value;
  const t0 = performance.now();
  page.pmmu.writeFile(SCENARIO_FILE, source);
  const r = page.pmmu.run(['run', '--json', '--tlb-state', SCENARIO_FILE]);
  const results = new Map();
  page.tlbByLine.clear();
  page.accessByLine.clear();
  let accesses = 0, expects = 0, failed = 0;
  const errors = r.status === 2 ? parseErrors(r.err) : { byLine: new Map(), other: r.err ? r.err.trim().split('\n') : [] };
  for (const line of r.out.split('\n')) {
    if (!line) continue;
    if (line.includes('"op":"tlb-state"')) {
      /* kept as text: parsed when its access is chosen (a long scenario has megabytes) */
      page.tlbByLine.set(Number(/^\{"line":(\d+)/.exec(line)[1]), line);
      continue;
    }
    const o = JSON.parse(line);
    if (o.va !== undefined) {
      accesses++;
      page.accessByLine.set(o.line, o);
    }
    if (o.op === 'expect') {
      expects++;
      if (!o.ok) failed++;
    }
    if (!results.has(o.line)) results.set(o.line, []);
    results.get(o.line).push(o);
  }
  const rows = source.replace(/\n$/, '').split('\n').map((text, i) => {
    const n = i + 1;
    const errs = errors.byLine.get(n);
    const res = results.get(n) || [];
    const isAccess = page.accessByLine.has(n);
    return el('tr', { class: errs ? 'error' : isAccess ? 'access' : null, 'data-line': n, onclick: isAccess ? () => selectAccess(n) : null },
      el('td', { class: 'n' }, n),
      el('td', {}, el('div', { class: 'src', title: text }, text || ' '),
        errs ? errs.map((e) => el('div', { class: 'errmsg' }, 'error: ' + e))
          : res.map((o) => el('div', { class: 'res' }, describeResult(o)))));
  });
  const listing = [el('table', {}, rows)];
  if (errors.other.length) listing.unshift(message(errors.other.join('\n'), true));
  $('run-out').replaceChildren(...listing);
  const ms = performance.now() - t0;
  page.lastRun = { ms, accesses, status: r.status };
  if (r.status === 2)
    setStatus(`Nothing ran: ${errors.byLine.size} bad line(s), shown at their line.`, true);
  else
    setStatus(`${accesses} accesses, ${expects} expectations, ${failed} failed, in ${ms.toFixed(1)} ms.`, failed > 0);
  const first = page.accessByLine.keys().next();
  if (!first.done) selectAccess(first.value);
  else $('tlb-out').replaceChildren(message('No access ran.'));
}

function selectAccess(line) {
  document.querySelectorAll('#run-out tr.selected').forEach((tr) => tr.classList.remove('selected'));
  const row = document.querySelector(`#run-out tr[data-line="${line}"]`);
  if (row) row.classList.add('selected');
  const o = page.accessByLine.get(line);
  if (!o) return;
  $('walk-va').value = o.va;
  $('walk-access').value = o.op;
  $('walk-priv').value = o.priv;
  $('walk-ac').checked = o.ac;
  explainWalk();
  renderTlb(line);
}

/* ---- the walk (pmmu explain --json) --------------------------------------------------- */

function renderWalk(d) {
  const fig = el('div', { class: 'figure' });
  fig.append(el('p', { class: 'regs' }, el('span', {}, `paging: ${d.mode}`), el('span', {}, `CR0 ${d.cr0}`),
    el('span', {}, `CR3 ${d.cr3}`), el('span', {}, `CR4 ${d.cr4}`), el('span', {}, `EFER ${d.efer}`)));
  fig.append(el('div', { class: 'split', 'aria-label': `linear address ${d.va} split into fields` },
    el('div', {}, el('small', {}, 'linear address'), el('b', {}, d.va)),
    (d.split || []).map((f) => el('div', {}, el('small', {}, `bits ${f.bits}: ${f.name}`), el('b', {}, hex(f.value))))));
  const steps = [el('div', { class: 'step' }, el('h4', {}, 'CR3'), d.cr3)];
  for (const s of d.steps || []) {
    steps.push(el('span', { class: 'arrow', 'aria-hidden': 'true' }, '\u2192'));
    steps.push(el('div', { class: 'step' },
      el('h4', {}, `${s.level} [${hex(s.index)}]`),
      el('div', {}, `at ${s.addr}`), el('div', {}, `= ${s.value}`),
      el('div', {}, Object.entries(s.flags || {}).map(([k, v]) =>
        el('span', { class: v ? 'flag on' : 'flag off', title: `${k} = ${v}` }, k)))));
  }
  fig.append(el('div', { class: 'steps' }, steps));
  if (d.rule) fig.append(el('p', {}, el('b', {}, 'Rule: '), d.rule));
  if (d.allowed) fig.append(el('p', { class: 'verdict ok' }, `${d.access} allowed: physical address ${d.pa}`));
  else if (d.fault)
    fig.append(el('p', { class: 'verdict bad' }, `#PF error code ${d.fault.ec} (${d.fault.bits}), CR2 = ${d.fault.cr2}`));
  if (d.tlb) {
    const t = d.tlb;
    fig.append(el('p', {}, t.cached
      ? `TLB: cached in the ${t.array} array, set ${t.set}, way ${t.way}, frame ${t.frame}` +
        (t.stale ? ': STALE, it differs from the tables in memory, and the next access uses it until INVLPG or a CR3 write flushes it.' : '.')
      : 'TLB: no entry for this page.'));
  }
  return fig;
}

function explainWalk() {
  const out = $('walk-out');
  const args = ['explain', SCENARIO_FILE, $('walk-va').value.trim(), $('walk-access').value, $('walk-priv').value];
  if ($('walk-ac').checked) args.push('ac');
  page.pmmu.writeFile(SCENARIO_FILE, $('source').value);
  const r = page.pmmu.run(args.concat(['--json']));
  if (r.status === 0) {
    try {
      out.replaceChildren(renderWalk(JSON.parse(r.out)));
      return;
    } catch (e) {
      out.replaceChildren(message(`explain --json: ${e.message}`, true));
      return;
    }
  }
  if (r.status === 2 && r.err.includes("'--json'")) {
    /* a pmmu whose explain has no --json yet: its text, as the command line prints it */
    const t = page.pmmu.run(args);
    out.replaceChildren(t.status === 0 ? el('pre', { class: 'step' }, t.out) : message(t.err.trim(), true));
    return;
  }
  out.replaceChildren(message((r.err || r.out).trim(), true));
}

/* ---- the TLB (the tlb-state lines of pmmu run) ---------------------------------------- */

function tlbCell(e, cls) {
  if (!e) return el('td', { class: cls ? `empty ${cls}` : 'empty' }, '\u2014');
  const rights = [e.u ? 'U' : 'S', e.w ? 'W' : 'R', e.x ? 'X' : '', e.d ? 'D' : '', e.g ? 'G' : ''].filter((x) => x).join(' ');
  return el('td', { class: cls, title: `${e.size} page ${e.la} -> ${e.frame}` }, `${e.la}\u2192${e.frame} ${rights}`);
}

function describeFill(t) {
  if (!t.fill) return t.dropped.length ? 'No fill; the access dropped the entry it found.' : 'No fill (a hit, a fault, or paging off).';
  const f = t.fill;
  const where = f.array === '4K' ? `set ${f.set}, way ${f.way}` : `large entry ${f.way}`;
  const ev = f.evicted ? `, evicting ${f.evicted.la}\u2192${f.evicted.frame}` : ' (a free way)';
  return `Filled ${where}${ev}. Policy ${t.policy}.`;
}

function renderTlb(line) {
  const text = page.tlbByLine.get(line);
  const t = text && JSON.parse(text);
  const out = $('tlb-out');
  if (!t) {
    out.replaceChildren(message('No TLB state for this line.'));
    return;
  }
  const o = page.accessByLine.get(line);
  const isFill = (array, set, way) => t.fill && t.fill.array === array && t.fill.set === set && t.fill.way === way;
  const isDropped = (array, set, way) => t.dropped.some((d) => d.array === array && d.set === set && d.way === way);
  const cls = (array, set, way) => (isFill(array, set, way) ? 'fill' : isDropped(array, set, way) ? 'dropped' : null);
  const ways = Array.from({ length: t.ways }, (_, w) => el('th', {}, `way ${w}`));
  const small = el('div', {}, el('h3', {}, `4 KiB array: ${t.sets} sets \u00d7 ${t.ways} ways`),
    el('table', { class: 'grid', id: 'tlb-4k' },
      el('tr', {}, el('th', {}, 'set'), ways),
      t.entries['4K'].map((row, s) => el('tr', {}, el('th', {}, s), row.map((e, w) => tlbCell(e, cls('4K', s, w)))))));
  const large = el('div', {}, el('h3', {}, `large pages: ${t.large} entries`),
    el('table', { class: 'grid', id: 'tlb-large' },
      el('tr', {}, el('th', {}, 'entry'), el('th', {}, 'page \u2192 frame')),
      t.entries.large.map((e, w) => el('tr', {}, el('th', {}, w), tlbCell(e, cls('large', 0, w))))));
  out.replaceChildren(
    el('p', {}, el('b', {}, `After line ${line}: ${o ? `${o.op} ${o.va} (${o.priv}), TLB ${o.tlb}` : ''}. `), describeFill(t)),
    el('div', { class: 'tlb' }, small, large));
}

/* ---- start ----------------------------------------------------------------------------- */

function setupScenario() {
  const source = $('source');
  source.value = README_EXAMPLE;
  $('run-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    runScenario();
  });
  source.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      runScenario();
    }
  });
  $('reset-source').addEventListener('click', () => {
    source.value = README_EXAMPLE;
    runScenario();
  });
  $('walk-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    explainWalk();
  });
  runScenario();
}

page.ready = pmmuLoad(createPmmu).then((pmmu) => {
  page.pmmu = pmmu;
  $('version').textContent = pmmu.run(['--version']).out.trim();
  setupScenario();
  setupQuiz();
}).catch((e) => {
  setStatus('The model did not load: ' + e.message, true);
  throw e;
});
