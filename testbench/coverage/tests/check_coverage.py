#!/usr/bin/env python3
"""Tests of the functional coverage (testbench/coverage, docs/coverage.md).

usage: check_coverage.py PMMU TESTS_DIR SCRATCH_DIR ENGINE...

- A scenario that does one thing hits exactly the bins worked out by hand below (timing.md T4
  for the cycle bins), in every engine mode given (the replacement victims only with a model).
- Merging is associative and commutative, and counts add.
- `pmmu coverage --holes` lists the holes (never an impossible bin) and exits 1; an impossible
  bin that was hit exits 1 too; bad files are "FILE:LINE: error: ..." with exit 2 and no output.
"""
import json
import os
import subprocess
import sys

PMMU, TESTS, SCRATCH = sys.argv[1:4]
ENGINES = sys.argv[4:]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(*args):
    p = subprocess.run([PMMU, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def bins(path):
    with open(path) as f:
        return json.load(f)["bins"]


# ---- directed scenarios: the bins each one must hit, and no other --------------------------
# Victims: the model's TLB (model, both); run/...: the meta bins.
EXPECTED = {
    # cr3 write (non-global flush, walker idle); one sup read walking a 4 KiB page: 2 reads,
    # A already set (no CAS); R - A = 1 + 2 x (1 + 0 + 3) = 9.
    "one-read-miss": {
        "flush/kind=nonglobal/state=idle": 1,
        "translate/tlb=miss/size=4k/mode=32/access=read": 1,
        "ad/ad=none/tlb=miss/access=read/mode=32": 1,
        "priv/priv=sup/access=read/result=ok": 1,
        "mem-wait/op=read/cycles=0": 2,
        "mem-latency/op=read/cycles=3-4": 2,
        "req-wait/cycles=0": 1,
        "req-cycles/tlb=miss/cycles=9-16": 1,
        "victim/policy=plru/array=4k/way=0/fill": 1,
    },
    # a user write, PDE not present: one read, #PF; R - A = 1 + (1 + 0 + 3) = 5.
    "one-fault": {
        "flush/kind=nonglobal/state=idle": 1,
        "fault/cause=np/level=pde/mode=32/access=write": 1,
        "fault-priv/cause=np/priv=user": 1,
        "priv/priv=user/access=write/result=pf": 1,
        "mem-wait/op=read/cycles=0": 1,
        "mem-latency/op=read/cycles=3-4": 1,
        "req-wait/cycles=0": 1,
        "req-cycles/tlb=miss/cycles=2-8": 1,
    },
    # cr3 (non-global flush), set pae=1 (a PDPTE load by cr4, a flush of all); a sup fetch that
    # walks a 2 MiB page (PDE read, one CAS for A); a user read that hits it.
    "one-pae-hit-2m": {
        "flush/kind=nonglobal/state=idle": 1,
        "flush/kind=all/state=idle": 1,
        "pdpte/reg=cr4/result=loaded": 1,
        "translate/tlb=miss/size=2m/mode=pae/access=fetch": 1,
        "translate/tlb=hit/size=2m/mode=pae/access=read": 1,
        "ad/ad=a/tlb=miss/access=fetch/mode=pae": 1,
        "ad/ad=none/tlb=hit/access=read/mode=pae": 1,
        "priv/priv=sup/access=fetch/result=ok": 1,
        "priv/priv=user/access=read/result=ok": 1,
        "mem-wait/op=read/cycles=0": 1,
        "mem-wait/op=cas/cycles=0": 1,
        "mem-latency/op=read/cycles=3-4": 1,
        "mem-latency/op=cas/cycles=3-4": 1,
        "req-wait/cycles=0": 2,
        "req-cycles/tlb=miss/cycles=9-16": 1,
        "req-cycles/tlb=hit/cycles=1": 1,
        "victim/policy=plru/array=large/way=0/fill": 1,
    },
}

files = {}
for name, want in EXPECTED.items():
    for engine in ENGINES:
        out = os.path.join(SCRATCH, f"{name}-{engine}.json")
        st, _, err = run("run", os.path.join(TESTS, name + ".pmmu"), "--engine", engine,
                         "--coverage", out)
        check(st == 0, f"{name} --engine {engine}: exit {st}: {err}")
        if st != 0:
            continue
        got = bins(out)
        exp = dict(want)
        if engine == "rtl":
            exp = {k: v for k, v in exp.items() if not k.startswith("victim/")}
        exp["run/engine=" + engine] = 1
        exp["run/setup=16x4x8_plru"] = 1
        exp["run/op=translate"] = sum(v for k, v in want.items() if k.startswith("priv/"))
        exp["run/op=reg-write"] = {"one-read-miss": 1, "one-fault": 1, "one-pae-hit-2m": 2}[name]
        check(got == exp, f"{name} --engine {engine}: bins differ:\n  extra "
              f"{ {k: v for k, v in got.items() if exp.get(k) != v} }\n  missing "
              f"{ {k: v for k, v in exp.items() if got.get(k) != v} }")
        files.setdefault(name, out)

# ---- merging: associative, commutative, counts add ------------------------------------------
a, b, c = files["one-read-miss"], files["one-fault"], files["one-pae-hit-2m"]
ab, bc = os.path.join(SCRATCH, "ab.json"), os.path.join(SCRATCH, "bc.json")
ab_c, a_bc, cba = (os.path.join(SCRATCH, n) for n in ("ab_c.json", "a_bc.json", "cba.json"))
for args in ((a, b, "-o", ab), (b, c, "-o", bc), (ab, c, "-o", ab_c), (a, bc, "-o", a_bc),
             (c, b, a, "-o", cba)):
    st, _, err = run("coverage", "--quiet", *args)
    check(st == 0, f"coverage {args}: exit {st}: {err}")
# a running total: -o names an input (read whole first, then replaced)
total = os.path.join(SCRATCH, "total.json")
with open(total, "w") as f:
    f.write(open(ab).read())
st, _, err = run("coverage", "--quiet", total, c, "-o", total)
check(st == 0, f"coverage total c -o total: exit {st}: {err}")
texts = [open(p).read() for p in (ab_c, a_bc, cba, total)]
check(texts[0] == texts[1] == texts[2] == texts[3],
      "(a+b)+c, a+(b+c), c+b+a and the running total differ")
merged = bins(ab_c)
for k in set(bins(a)) | set(bins(b)) | set(bins(c)):
    want = bins(a).get(k, 0) + bins(b).get(k, 0) + bins(c).get(k, 0)
    check(merged.get(k) == want, f"merged {k} = {merged.get(k)}, want {want}")
check(merged["run/op=translate"] == 4, "merged translations")

# ---- the hole report ---------------------------------------------------------------------
st, out, _ = run("coverage", a)
check(st == 0, f"coverage without --holes: exit {st}")
check("holes:" not in out, "holes listed without --holes")
check(out.startswith("group"), "the table's header")
st, out, _ = run("coverage", a, "--holes")
check(st == 1, f"coverage --holes with holes that matter: exit {st}, want 1")
holes = [l.strip() for l in out.split("holes:\n", 1)[-1].splitlines() if l.startswith("  ")]
check("fault/cause=np/level=pde/mode=32/access=write" in holes, "a hole not listed")
check("translate/tlb=miss/size=4k/mode=32/access=read" not in holes, "a bin hit listed as a hole")
check(not any(h.startswith("translate/tlb=miss/size=2m/mode=32/") for h in holes),
      "an impossible bin listed as a hole")
check("mem-wait/op=read/cycles=16+  (informational)" in holes, "informational holes are marked")
row = [l.split() for l in out.splitlines() if l.startswith("translate ")][0]
check(row[1:] == ["30", "1", "29", "29", "24"], f"translate row {row}")

# ---- an impossible bin that was hit ------------------------------------------------------
imp = os.path.join(SCRATCH, "impossible.json")
with open(imp, "w") as f:
    f.write('{"format": "pmmu-coverage", "version": 1, "bins": {\n'
            '  "ad/ad=a/tlb=hit/access=read/mode=32": 2,\n  "no-such/bin=x": 1}}\n')
st, out, _ = run("coverage", imp)
check(st == 1, f"impossible bin hit: exit {st}, want 1")
check("ad/ad=a/tlb=hit/access=read/mode=32: 2 (impossible: a hit makes no walk" in out,
      "the impossible bin and its reason")
check("unknown bins" in out and "no-such/bin=x: 1" in out, "unknown bins reported")

# ---- bad input: FILE:LINE: error, exit 2, nothing written --------------------------------
BAD = {
    "bad-syntax.json": ('{\n  "format": "pmmu-coverage",\n  "version": 1,\n  "bins": {\n'
                        '    "ad/ad=a/tlb=miss/access=read/mode=32" 3\n  }\n}\n',
                        ":5: error: expected ':', found '3'"),
    "bad-version.json": ('{"format": "pmmu-coverage",\n "version": 2, "bins": {}}\n',
                         ":2: error: version 2 is not supported"),
    "bad-empty.json": ("", ":1: error: expected '{', found the end of the file"),
    "bad-count.json": ('{"format": "pmmu-coverage", "version": 1, "bins": {\n'
                       '"priv/x": -1}}\n', ":2: error: expected a count"),
    "bad-twice.json": ('{"format": "pmmu-coverage", "version": 1, "bins": {\n"priv/x": 1,\n'
                       '"priv/x": 1}}\n', ":3: error: the bin 'priv/x' is given twice"),
    "bad-format.json": ('{"format": "other", "version": 1, "bins": {}}', ":1: error: \"format\""),
    "bad-missing.json": ('{"format": "pmmu-coverage", "version": 1}\n',
                         ":2: error: not a coverage file: \"bins\" is missing"),
}
for name, (text, msg) in BAD.items():
    path = os.path.join(SCRATCH, name)
    with open(path, "w") as f:
        f.write(text)
    out_path = os.path.join(SCRATCH, "never.json")
    st, _, err = run("coverage", a, path, "-o", out_path)
    check(st == 2, f"{name}: exit {st}, want 2")
    check(path + msg in err, f"{name}: message {err!r}, want {path + msg!r}")
    check(not os.path.exists(out_path), f"{name}: -o written after a bad input")
st, _, err = run("coverage", os.path.join(SCRATCH, "no-such.json"))
check(st == 2 and "cannot read" in err, f"a missing file: exit {st}: {err}")
st, _, err = run("run", os.path.join(TESTS, "one-fault.pmmu"), "--coverage", SCRATCH)
check(st == 2 and "cannot write" in err, f"--coverage DIR: exit {st}: {err}")
st, _, _ = run("coverage")
check(st == 2, "no operand: exit 2")

if failures:
    print(f"{len(failures)} checks failed")
    sys.exit(1)
print("coverage checks passed")
