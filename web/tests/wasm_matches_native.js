#!/usr/bin/env node
/*
 * The WebAssembly pmmu against the native one, bit for bit: every scenario of a directory
 * (and its bad/ files) run by both with `run --json` and `run --json --tlb-state`, plus
 * `explain` on demo.pmmu and `quiz` (240 exercises in every mode, the exports, --check);
 * standard output, standard error and exit status must be identical.
 * Usage: node wasm_matches_native.js SITE/pmmu.js NATIVE_PMMU SCENARIO_DIR
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { pmmuLoad } = require('../pmmu-run.js');

async function main() {
  const [modulePath, native, dir] = process.argv.slice(2);
  const wasm = await pmmuLoad(require(path.resolve(modulePath)));
  const files = [];
  for (const sub of ['', 'bad']) {
    const d = path.resolve(dir, sub);
    for (const f of fs.readdirSync(d).sort())
      if (f.endsWith('.pmmu')) files.push(path.join(d, f));
  }
  for (const f of files) wasm.writeFile(f, fs.readFileSync(f));
  const demo = path.resolve(dir, 'demo.pmmu');
  const commands = [];
  for (const f of files) {
    commands.push(['run', '--json', f], ['run', f]);
    if (!f.includes('/bad/')) commands.push(['run', '--json', '--tlb-state', f]);
  }
  commands.push(['explain', demo, '0x00400abc', 'write', 'user'], ['explain', demo, '0xc0123456'],
    ['explain', demo, '0x00400abc', 'read', 'user', '--json'],
    ['--help'], ['run', '--nope', demo]);
  /* The exercises: the generator's draws must come in the same order from both compilers
   * (gcc's native build, emscripten's clang), and the grader must agree. */
  const modes = [[], ['--pse'], ['--pae'], ['--pae', '--nx']];
  for (const mode of modes)
    for (let seed = 0; seed < 60; seed++)
      commands.push(['quiz', '--seed', String(seed), ...mode, '--items', '8', '--solve', '--json']);
  for (const mode of modes)
    for (const seed of ['1', '0x2a', '18446744073709551615']) {
      const q = ['quiz', '--seed', seed, ...mode];
      commands.push(q.concat(['--solve']), q.concat(['--decoded']), q.concat(['--format', 'csv']),
        q.concat(['--format', 'pmmu']), q.concat(['--format', 'gift']),
        q.concat(['--check', 'pde=0x1,pa=0x2', '--item', '2', '--json']),
        q.concat(['--check', 'fault=0x4', '--item', '3']));
    }
  commands.push(['quiz', '--student', 's1234', '--assignment', 'hw3', '--json'],
    ['quiz', '--seed', 'seven'], ['quiz', '--check', 'nope=1', '--json']);
  let failed = 0;
  for (const args of commands) {
    const n = spawnSync(native, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
    const w = wasm.run(args);
    const same = n.status === w.status && n.stdout === w.out && n.stderr === w.err;
    if (!same) {
      failed++;
      console.log(`DIFFERENT: pmmu ${args.join(' ')}: native exit ${n.status}, wasm exit ${w.status}`);
      if (n.stdout !== w.out) console.log(`  stdout differs (native ${n.stdout.length} bytes, wasm ${w.out.length})`);
      if (n.stderr !== w.err) console.log(`  stderr: native ${JSON.stringify(n.stderr)} wasm ${JSON.stringify(w.err)}`);
    }
  }
  console.log(`${commands.length} commands, ${commands.length - failed} identical, ${failed} different`);
  process.exit(failed ? 1 : 0);
}
main().catch((e) => { console.error(e); process.exit(1); });
