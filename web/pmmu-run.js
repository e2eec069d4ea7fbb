/*
 * Runs `pmmu` commands on the WebAssembly module (pmmu.js, built from testbench/cli by
 * web/CMakeLists.txt): one call, one command, its standard output, standard error and exit
 * status, as the native `pmmu` would give them (pmmu_web.c puts the output in files). Used by
 * the page (app.js) and by the tests under node (tests/wasm_matches_native.js).
 */
'use strict';

/* createPmmu: the factory pmmu.js defines. Resolves to {run(args), writeFile(path, text)}. */
async function pmmuLoad(createPmmu) {
  const mod = await createPmmu({ print: () => {}, printErr: () => {} });
  const read = (path) => mod.FS.readFile(path, { encoding: 'utf8' });
  /* args: the words after `pmmu`, as strings. The output files: pmmu_web.c. */
  function run(args) {
    const argv = ['pmmu'].concat(args);
    const strings = argv.map((word) => {
      const size = mod.lengthBytesUTF8(word) + 1;
      const p = mod._malloc(size);
      mod.stringToUTF8(word, p, size);
      return p;
    });
    const array = mod._malloc(4 * (argv.length + 1));
    strings.forEach((p, i) => mod.setValue(array + 4 * i, p, 'i32'));
    mod.setValue(array + 4 * argv.length, 0, 'i32');
    let status;
    try {
      status = mod._pmmu_web_main(argv.length, array);
    } finally {
      strings.forEach((p) => mod._free(p));
      mod._free(array);
    }
    if (status < 0) throw new Error('pmmu: the output files could not be opened');
    return { status, out: read('/pmmu.stdout'), err: read('/pmmu.stderr') };
  }
  /* A file in the module's memory file system, its directories made as needed. */
  function writeFile(path, text) {
    const dir = path.substring(0, path.lastIndexOf('/'));
    if (dir) mod.FS.mkdirTree(dir);
    mod.FS.writeFile(path, text);
  }
  return { run, writeFile };
}

if (typeof module !== 'undefined') module.exports = { pmmuLoad };
