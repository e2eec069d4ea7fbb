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
  started: false, /* the module loaded and the page drawn (the tests wait for it) */
  failed: false,
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

/* The keys of `pmmu quiz --check`, in walk order: the order the grader goes in
 * (testbench/quiz/quiz_check.c, docs/quiz.md "Checking an answer"). */
const CHECK_KEYS = {
  '32-bit': ['dir', 'pde_addr', 'pde', 'table', 'pte_addr', 'pte', 'frame', 'fault', 'pa'],
  pae: ['pdpt', 'pdpte_addr', 'pdpte', 'dir', 'pde_addr', 'pde', 'table', 'pte_addr', 'pte',
    'frame', 'fault', 'pa'],
};
CHECK_KEYS.pse = CHECK_KEYS['32-bit'];
const KEY_LABELS = {
  pdpt: 'PDPTE index', pdpte_addr: 'PDPTE address', pdpte: 'PDPTE',
  dir: 'directory index', pde_addr: 'PDE address', pde: 'PDE',
  table: 'table index', pte_addr: 'PTE address', pte: 'PTE',
  frame: 'frame (page base)', fault: '#PF error code', pa: 'physical address',
};
const KEY_HINTS = { fault: 'none, 0x...' };

/* The options of an exercise: {seed, mode, nx, items, decoded}; the command's words. */
function quizArgs(o) {
  const args = ['quiz', '--seed', o.seed];
  if (o.mode === 'pse') args.push('--pse');
  if (o.mode === 'pae') args.push('--pae');
  if (o.mode === 'pae' && o.nx) args.push('--nx');
  if (o.items) args.push('--items', o.items);
  return args;
}

/* The options in the URL: #seed=S&mode=M&nx=1&items=N&decoded=1 (a query string works too). */
function readUrlOptions() {
  const text = location.hash.length > 1 ? location.hash.slice(1) : location.search.slice(1);
  const p = new URLSearchParams(text);
  return {
    seed: p.get('seed'), mode: p.get('mode'), nx: p.get('nx') === '1',
    items: p.get('items'), decoded: p.get('decoded') === '1',
  };
}

function writeUrlOptions(o) {
  const p = new URLSearchParams({ seed: o.seed, mode: o.mode });
  if (o.mode === 'pae' && o.nx) p.set('nx', '1');
  if (o.items) p.set('items', o.items);
  if (o.decoded) p.set('decoded', '1');
  /* the options move to the #fragment (a query string would come back with a reload) */
  history.replaceState(null, '', location.pathname + '#' + p.toString());
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
      el('td', {}, hex(BigInt(t.pa) + size * BigInt(e.index), data.mode === 'pae' ? 9 : 8)),
      el('td', {}, e.value),
      decoded ? el('td', { class: 'decoded' }, decodeEntry(t.kind, data.mode, e.value)) : null))));
}

/* An item of `--solve --json` as the answer of each --check key ('' where the walk never
 * gets: a large page has no table index, a fault no physical address). */
function solutionKeys(item) {
  const k = {};
  const names = { pdpte: ['pdpt', 'pdpte_addr', 'pdpte'], pde: ['dir', 'pde_addr', 'pde'], pte: ['table', 'pte_addr', 'pte'] };
  for (const s of item.steps || []) {
    const [index, addr, value] = names[s.name];
    k[index] = hex(s.index);
    k[addr] = s.addr;
    k[value] = s.value;
  }
  const r = item.result || {};
  if (r.frame) k.frame = r.frame;
  k.fault = r.fault || 'none';
  if (r.pa) k.pa = r.pa;
  return k;
}

function solutionTable(item, keys) {
  const k = solutionKeys(item);
  const r = item.result || {};
  return el('div', { class: 'solution' },
    el('table', { class: 'grid' },
      el('tr', {}, el('th', {}, 'step'), el('th', {}, 'answer')),
      keys.map((key) => el('tr', { 'data-key': key },
        el('th', {}, KEY_LABELS[key]), el('td', {}, k[key] || '\u2014')))),
    el('p', {}, r.fault ? `#PF, error code ${r.fault}, CR2 = ${r.cr2}: ${r.why}` : `Allowed: physical address ${r.pa}.`));
}

/* The grading of `--check --json` on the answer boxes: ok, bad (the first wrong step, and
 * the only one with a reason), not graded (given after it), or nothing. */
function renderGrade(box, inputs, result, given) {
  for (const [key, input] of Object.entries(inputs)) {
    input.dataset.grade = given.includes(key) ? 'not-graded' : '';
    input.removeAttribute('aria-invalid');
  }
  for (const s of result.steps) {
    inputs[s.key].dataset.grade = s.ok ? 'ok' : 'bad';
    if (!s.ok) inputs[s.key].setAttribute('aria-invalid', 'true');
  }
  const wrong = result.steps.find((s) => !s.ok);
  const lines = [];
  if (result.correct)
    lines.push(el('p', { class: 'grade ok' }, `Right: ${result.steps.map((s) => KEY_LABELS[s.key]).join(', ')}.`));
  else {
    const right = result.steps.filter((s) => s.ok).map((s) => KEY_LABELS[s.key]);
    if (right.length) lines.push(el('p', { class: 'grade' }, `Right: ${right.join(', ')}.`));
    lines.push(el('p', { class: 'grade bad' }, `${KEY_LABELS[wrong.key]} is wrong: ${wrong.why}`));
    if (result.not_graded)
      lines.push(el('p', { class: 'grade' },
        `${result.not_graded} later step${result.not_graded === 1 ? '' : 's'} not graded: fix this one first.`));
  }
  box.replaceChildren(...lines);
}

function renderItem(item, mode) {
  const inputs = {};
  const grade = el('div', { class: 'grade-box', 'aria-live': 'polite' });
  const reveal = el('div', { class: 'reveal-box' });
  const keys = CHECK_KEYS[mode];
  const id = (key) => `item-${item.n}-${key}`;
  const form = el('form', { class: 'answers-form', 'data-item': item.n },
    el('div', { class: 'answers' }, keys.map((key) => {
      inputs[key] = el('input', { id: id(key), name: key, autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', placeholder: KEY_HINTS[key] || '0x...' });
      return el('div', { class: 'answer' }, el('label', { for: id(key) }, KEY_LABELS[key]), inputs[key]);
    })),
    el('div', { class: 'row' },
      el('button', { type: 'submit' }, 'Check'),
      el('button', { type: 'button', class: 'secondary reveal', 'aria-expanded': 'false', onclick: (ev) => revealItem(item.n, keys, reveal, ev.currentTarget) }, 'Show answer')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const given = keys.filter((key) => inputs[key].value.trim() !== '');
    if (!given.length) {
      grade.replaceChildren(message('Fill in at least one box: the steps you worked out.'));
      return;
    }
    const answer = given.map((key) => `${key}=${inputs[key].value.trim()}`).join(',');
    /* exit status 1 is a wrong step, with its grading on stdout like a right answer's */
    const r = page.pmmu.run(page.quiz.args.concat(['--check', answer, '--item', String(item.n), '--json']));
    let result = null;
    try {
      result = JSON.parse(r.out);
    } catch (e) {
      grade.replaceChildren(message((r.err || r.out).trim() || `exit status ${r.status}`, true));
      return;
    }
    if (result.error) grade.replaceChildren(message(`Not an answer pmmu can read: ${result.error}`, true));
    else renderGrade(grade, inputs, result, given);
  });
  return el('div', { class: 'item', id: `item-${item.n}` },
    el('h3', {}, `${item.n}. ${item.access} ${item.va} (${item.priv})`),
    form, grade, reveal);
}

function revealItem(n, keys, box, button) {
  if (box.childElementCount) {
    box.replaceChildren();
    button.textContent = 'Show answer';
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  if (!page.quiz.solution) {
    const r = runJson(page.quiz.args.concat(['--solve', '--json']));
    if (r.error) {
      box.replaceChildren(message(r.error, true));
      return;
    }
    page.quiz.solution = r.data;
  }
  const item = page.quiz.solution.items.find((i) => i.n === n);
  box.replaceChildren(item ? solutionTable(item, keys) : message(`no item ${n} in the solution`, true));
  button.textContent = 'Hide answer';
  button.setAttribute('aria-expanded', 'true');
}

function generateQuiz(o) {
  const out = $('quiz-out');
  const args = quizArgs(o);
  const r = runJson(args.concat(['--json']));
  if (r.error) {
    page.quiz = null;
    out.replaceChildren(message(r.error, true));
    return false;
  }
  page.quiz = { args, data: r.data, solution: null };
  const d = r.data;
  out.replaceChildren(el('div', { class: 'quiz' },
    el('div', { class: 'tables' },
      el('p', { class: 'regs' }, el('span', {}, `seed ${d.seed}`), el('span', {}, `CR0 ${d.cr0}`),
        el('span', {}, `CR3 ${d.cr3}`), el('span', {}, `CR4 ${d.cr4}`), el('span', {}, `EFER ${d.efer}`)),
      el('p', { class: 'hint' }, 'The entries not listed are 0.'),
      renderTables(d, o.decoded)),
    el('div', { class: 'items' },
      el('p', { class: 'hint' }, 'Translate each address. Give the steps you worked out (hex with 0x, or decimal) and leave the others empty; Enter checks.'),
      d.items.map((i) => renderItem(i, d.mode)))));
  return true;
}

function setupQuiz() {
  const form = $('quiz-form');
  const show = (o) => {
    if (o.seed) $('quiz-seed').value = o.seed;
    if (CHECK_KEYS[o.mode]) $('quiz-mode').value = o.mode;
    $('quiz-nx').checked = o.nx;
    if (o.items) $('quiz-items').value = o.items;
    $('quiz-decoded').checked = o.decoded;
    $('quiz-nx').disabled = $('quiz-mode').value !== 'pae';
  };
  const current = () => ({
    seed: $('quiz-seed').value.trim(), mode: $('quiz-mode').value, nx: $('quiz-nx').checked,
    items: $('quiz-items').value.trim(), decoded: $('quiz-decoded').checked,
  });
  const generate = () => {
    const o = current();
    if (generateQuiz(o)) writeUrlOptions(o);
  };
  show(readUrlOptions());
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    generate();
  });
  $('quiz-mode').addEventListener('change', () => {
    $('quiz-nx').disabled = $('quiz-mode').value !== 'pae';
  });
  $('quiz-decoded').addEventListener('change', () => {
    if (page.quiz) generate();
  });
  $('quiz-link').addEventListener('click', () => {
    writeUrlOptions(current());
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
    show(o);
    generateQuiz(current());
  });
  generateQuiz(current());
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

/* The flags an entry of LEVEL has (docs/spec/scenario-format.md, explain --json): bit 7 is PS
 * in a PDE and PAT in a PTE; a PDPTE has only P, PWT and PCD; XD exists in PAE only. */
function entryFlags(level, mode) {
  if (level === 'PDPTE') return ['P', 'PWT', 'PCD'];
  const flags = ['P', 'RW', 'US', 'PWT', 'PCD', 'A', 'D', level === 'PDE' ? 'PS' : 'PAT', 'G'];
  if (mode === 'pae') flags.push('XD');
  return flags;
}

/* What an entry points to, in words: decodeEntry's view with the walk's paging mode. */
function entryTarget(d, s) {
  if (s.bus_error || s.flags.P !== 1) return s.bus_error ? 'bus error' : 'not present';
  const kind = { PDPTE: 'PDPT', PDE: 'PD', PTE: 'PT' }[s.level];
  const mode = d.mode === 'pae' ? 'pae' : parseInt(d.cr4, 16) & 0x10 ? 'pse' : '32-bit';
  return '\u2192 ' + decodeEntry(kind, mode, s.value).replace(/  .*/, '');
}

function renderWalk(d) {
  const fig = el('div', { class: 'figure', 'data-va': d.va });
  fig.append(el('p', { class: 'regs' }, el('span', {}, `paging: ${d.mode}`), el('span', {}, `CR0 ${d.cr0}`),
    el('span', {}, `CR3 ${d.cr3}`), el('span', {}, `CR4 ${d.cr4}`), el('span', {}, `EFER ${d.efer}`)));
  fig.append(el('div', { class: 'split', role: 'group', 'aria-label': `linear address ${d.va} split into fields` },
    el('div', {}, el('small', {}, `${d.access} by ${d.priv}`), el('b', {}, d.va)),
    (d.split || []).map((f) => el('div', {}, el('small', {}, `${f.bits} ${f.name}`), el('b', {}, hex(f.value))))));
  const steps = [el('div', { class: 'step' }, el('h4', {}, 'CR3'), el('div', {}, d.cr3))];
  for (const s of d.steps || []) {
    steps.push(el('span', { class: 'arrow', 'aria-hidden': 'true' }, '\u2192'));
    steps.push(el('div', { class: 'step', 'data-level': s.level },
      el('h4', {}, `${s.level} [${hex(s.index)}]`),
      el('div', {}, 'at ', el('span', { class: 'addr' }, s.addr)),
      el('div', {}, '= ', el('b', { class: 'value' }, s.bus_error ? 'bus error' : s.value)),
      el('div', { class: 'flags' }, entryFlags(s.level, d.mode).map((k) =>
        el('span', { class: s.flags && s.flags[k] ? 'flag on' : 'flag off', 'data-flag': k, title: `${k} = ${s.flags ? s.flags[k] : '?'}` }, k))),
      el('div', { class: 'target' }, entryTarget(d, s))));
  }
  fig.append(el('div', { class: 'steps' }, steps));
  if (d.rights)
    fig.append(el('p', { class: 'rights' }, el('b', {}, 'Rights '), `(AND over the entries): U=${d.rights.U} W=${d.rights.W} X=${d.rights.X}`));
  if (d.rule) fig.append(el('p', { class: 'rule' }, el('b', {}, 'Rule: '), d.rule));
  if (d.allowed)
    fig.append(el('p', { class: 'verdict ok', 'data-pa': d.pa }, `${d.access} allowed: physical address ${d.pa}`));
  else if (d.fault)
    fig.append(el('p', { class: 'verdict bad', 'data-ec': d.fault.ec },
      `#PF error code ${d.fault.ec} (${d.fault.bits}), CR2 = ${d.fault.cr2}`));
  else if (d.bus_error) fig.append(el('p', { class: 'verdict bad' }, `bus error at ${d.bus_error}`));
  if (d.tlb) {
    const t = d.tlb;
    let text = 'TLB: no entry for this page; the next access walks.';
    if (t.cached) {
      const where = t.array === '4K' ? `set ${t.set}, way ${t.way}` : `large entry ${t.way}`;
      text = `TLB: cached (${where}): ${t.page} \u2192 ${t.frame}` +
        (t.stale ? `, STALE: it differs from memory (${t.differs.join(', ')}).` : '.') +
        (t.used ? ` The next access like this one hits it: ${t.hit_pa}.` : ` The next access drops it and walks: ${t.why}.`) +
        (t.stale ? ` INVLPG ${t.page}${t.flushed_by_cr3 ? ' or a CR3 write' : ''} flushes it.` : '');
    }
    fig.append(el('p', { class: t.stale ? 'tlbnote stale' : 'tlbnote' }, text));
  }
  return fig;
}

function explainWalk() {
  const out = $('walk-out');
  const args = ['explain', SCENARIO_FILE, $('walk-va').value.trim(), $('walk-access').value, $('walk-priv').value];
  if ($('walk-ac').checked) args.push('ac');
  page.pmmu.writeFile(SCENARIO_FILE, $('source').value);
  const r = runJson(args.concat(['--json']));
  out.replaceChildren(r.error ? message(r.error, true) : renderWalk(r.data));
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
  page.started = true; /* for the tests: everything is drawn */
}).catch((e) => {
  page.failed = true;
  setStatus('The model did not load: ' + e.message, true);
  throw e;
});
