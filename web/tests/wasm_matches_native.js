#!/usr/bin/env node
/*
 * The WebAssembly pmmu against the native one, bit for bit: every scenario of a directory
 * (and its bad/ files) run by both with `run --json` and `run --json --tlb-state`, plus
 * `explain` on demo.pmmu; standard output, standard error and exit status must be identical.
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
    ['--help'], ['run', '--nope', demo]);
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
