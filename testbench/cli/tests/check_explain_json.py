#!/usr/bin/env python3
"""`pmmu explain --json` parsed, and every value checked against walks worked by hand.

usage: check_explain_json.py PMMU DEMO.pmmu STALE-TLB.pmmu

The expected values come from the page tables written in testbench/scenarios/demo.pmmu and
testbench/cli/tests/stale-tlb.pmmu (their comments give every entry), the split of a 32-bit
linear address (x86-paging.md section 3) and docs/tlb.md (set = page number mod 16, the first
fill of a set takes way 0): never from a run of pmmu.
"""
import json
import subprocess
import sys

PMMU, DEMO, STALE = sys.argv[1:4]
KEYS = ["va", "access", "priv", "ac", "cr0", "cr3", "cr4", "efer", "mode", "split", "steps",
        "rule", "allowed", "tlb"]
failures = []


def explain(scenario, *words):
    out = subprocess.run([PMMU, "explain", "--json", scenario, *words], check=True,
                         capture_output=True, text=True).stdout
    lines = out.splitlines()
    assert len(lines) == 1, f"one line of JSON, got {len(lines)}"
    return json.loads(lines[0])


def check(label, got, want):
    if got != want:
        failures.append(f"{label}: got {got!r}, want {want!r}")


def flags(**set_bits):
    f = {k: 0 for k in ["P", "RW", "US", "PWT", "PCD", "A", "D", "PS", "PAT", "G", "XD"]}
    f.update(set_bits)
    return f


def case(label, scenario, words, want, want_steps=None, want_tlb=None):
    j = explain(scenario, *words)
    for k in KEYS:
        if k not in j:
            failures.append(f"{label}: key {k!r} missing")
    for k, v in want.items():
        check(f"{label}: {k}", j.get(k), v)
    if want_steps is not None:
        check(f"{label}: steps", j["steps"], want_steps)
    if want_tlb is not None:
        for k, v in want_tlb.items():
            check(f"{label}: tlb.{k}", j["tlb"].get(k), v)
    # exactly one of pa (allowed) and fault (a #PF)
    check(f"{label}: pa iff allowed", "pa" in j, j["allowed"])
    check(f"{label}: fault iff denied", "fault" in j, not j["allowed"])


control = {"cr0": "0x80010000", "cr3": "0x00100000", "cr4": "0x00000090", "efer": "0x0",
           "mode": "32-bit"}

# PDE[1] = 0x00101027 (P W U A), PTE[1] = 0x00802067 (P W U A D) -> 0x00802000 + 0x008.
case("4K write", DEMO, ["0x00401008", "write", "user"],
     dict(control, va="0x00401008", access="write", priv="user", ac=False, allowed=True,
          pa="0x000802008", rule="write by user -> allowed",
          split=[{"bits": "31:22", "name": "directory index", "value": 1},
                 {"bits": "21:12", "name": "table index", "value": 1},
                 {"bits": "11:0", "name": "page offset", "value": 8}]),
     [{"level": "PDE", "index": 1, "addr": "0x000100004", "value": "0x00101027",
       "flags": flags(P=1, RW=1, US=1, A=1)},
      {"level": "PTE", "index": 1, "addr": "0x000101004", "value": "0x00802067",
       "flags": flags(P=1, RW=1, US=1, A=1, D=1)}],
     {"cached": True, "array": "4K", "set": 1, "way": 0, "frame": "0x000802000",
      "stale": False, "used": True, "hit_pa": "0x000802008"})

# PDE[0x300] = 0x010001a3 (P W A PS G) with CR4.PSE=1: a 4 MiB page at 0x01000000.
case("4M read", DEMO, ["0xc0123456"],
     dict(control, priv="sup", access="read", allowed=True, pa="0x001123456",
          split=[{"bits": "31:22", "name": "directory index", "value": 0x300},
                 {"bits": "21:0", "name": "page offset", "value": 0x123456}]),
     [{"level": "PDE", "index": 0x300, "addr": "0x000100c00", "value": "0x010001a3",
       "flags": flags(P=1, RW=1, A=1, PS=1, G=1)}],
     {"cached": True, "array": "large", "set": 0, "way": 0, "frame": "0x001000000",
      "page_size": 4 << 20, "G": 1, "stale": False})

# The text page is read-only (PTE[0] = 0x00801025): a user write faults, 0x7 = P W/R U/S.
case("protection", DEMO, ["0x00400abc", "write", "user"],
     dict(allowed=False, rule="write by user -> denied: a user write to a read-only page (W=0)",
          fault={"vector": 14, "ec": "0x7", "cr2": "0x00400abc",
                 "bits": "protection write user"}),
     None, {"cached": False})

# PTE[2] is zero: not present, 0x4 = U/S only.
case("not present", DEMO, ["0x00402000", "user"],
     dict(allowed=False, rule="the PTE is not present: the walk stops here",
          fault={"vector": 14, "ec": "0x4", "cr2": "0x00402000",
                 "bits": "not-present read user"}),
     [{"level": "PDE", "index": 1, "addr": "0x000100004", "value": "0x00101027",
       "flags": flags(P=1, RW=1, US=1, A=1)},
      {"level": "PTE", "index": 2, "addr": "0x000101008", "value": "0x00000000",
       "flags": flags()}],
     {"cached": False})

# stale-tlb.pmmu: page 0x401 cached (frame 0x00802000), then unmapped without INVLPG.
case("stale unmapped", STALE, ["0x00401234", "user"],
     dict(allowed=False, fault={"vector": 14, "ec": "0x4", "cr2": "0x00401234",
                                "bits": "not-present read user"}),
     None,
     {"cached": True, "array": "4K", "set": 1, "way": 0, "frame": "0x000802000",
      "stale": True, "differs": ["mapped"], "memory": {"mapped": False}, "used": True,
      "hit_pa": "0x000802234", "flushed_by_cr3": True})

# Page 0x400 cached read-only at 0x00803000 (D=0); memory now 0x00806067 (writable, D=1): a
# user write is denied by the cached W=0, so the entry is dropped and the walk gives the PA.
case("stale denied hit", STALE, ["0x00400abc", "write", "user"],
     dict(allowed=True, pa="0x000806abc"), None,
     {"cached": True, "set": 0, "way": 0, "frame": "0x000803000", "W": 0, "D": 0,
      "stale": True, "differs": ["frame", "W", "D"], "used": False})

# The global 4 MiB page moved to 0x02000000; the CR3 write left the old entry in place.
case("stale global", STALE, ["0xc0001234"], dict(allowed=True, pa="0x002001234"), None,
     {"cached": True, "array": "large", "way": 0, "frame": "0x001000000", "G": 1,
      "stale": True, "differs": ["frame"], "used": True, "hit_pa": "0x001001234",
      "flushed_by_cr3": False})

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("explain --json: 7 cases, every value as worked by hand")
