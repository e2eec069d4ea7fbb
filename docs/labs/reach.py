#!/usr/bin/env python3
"""Lab 2's workload: random reads over a working set, as a scenario or a trace.

    reach.py --ws-kib N [--page 4k|4m] [--reads N] [--seed S] [--format scenario|trace]

--format scenario (default) writes a .pmmu scenario for `pmmu run`: page tables that map a
64 MiB region at linear address 0x40000000 with 4 KiB pages (--page 4k) or 4 MiB pages
(--page 4m, CR4.PSE=1), then --reads reads at addresses drawn uniformly from the first
--ws-kib KiB of the region. --format trace writes the same offsets as the data loads of a
Valgrind lackey trace (' L ADDR,4') for `pmmu trace` and `pmmu sim --trace`; the testbench OS
folds them into the heap of one process (docs/os.md), which has 2 MiB (--ws-kib <= 2048).

The addresses come from a 64-bit linear congruential generator written here (Knuth's MMIX
constants), so the same arguments give the same file on every machine.
"""
import argparse
import sys

REGION = 0x40000000  # PDE index 256: away from everything else in the scenario
REGION_MIB = 64
CR3 = 0x00100000  # the page directory
TABLES = 0x00200000  # 16 page tables, one per 4 MiB (4 KiB pages)
FRAMES = 0x04000000  # physical memory the region maps to
PDE_4K = 0x27  # P W U A: a page table
PTE = 0x67  # P W U A D
PDE_4M = 0xE7  # P W U A D PS
LACKEY_HEAP = 0x10000000  # a lackey data address the OS folds to the heap start (2 MiB-aligned)
HEAP_KIB = 2048  # the testbench OS's heap: 512 pages


def addresses(ws_bytes, reads, seed):
    state = seed & (2**64 - 1)
    for _ in range(reads):
        state = (state * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        yield REGION + ((state >> 16) % ws_bytes & ~3)


def scenario(args, out):
    out.write(f"# reach.py --ws-kib {args.ws_kib} --page {args.page} --reads {args.reads}"
              f" --seed {args.seed}\n")
    out.write(f"cr4 {'0x10' if args.page == '4m' else '0'}\ncr3 {CR3:#010x}\n")
    for i in range(REGION_MIB // 4):
        pde = CR3 + 4 * ((REGION >> 22) + i)
        if args.page == "4m":
            out.write(f"mem32 {pde:#010x} {FRAMES + (i << 22) | PDE_4M:#010x}\n")
            continue
        table = TABLES + (i << 12)
        out.write(f"mem32 {pde:#010x} {table | PDE_4K:#010x}\n")
        for j in range(1024):
            frame = FRAMES + (i << 22) + (j << 12)
            out.write(f"mem32 {table + 4 * j:#010x} {frame | PTE:#010x}\n")
    for va in addresses(args.ws_kib * 1024, args.reads, args.seed):
        out.write(f"read {va:#010x} user\n")


def trace(args, out):
    for va in addresses(args.ws_kib * 1024, args.reads, args.seed):
        out.write(f" L {va - REGION + LACKEY_HEAP:08x},4\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--ws-kib", type=int, required=True, help="working set in KiB")
    p.add_argument("--page", choices=["4k", "4m"], default="4k")
    p.add_argument("--reads", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--format", choices=["scenario", "trace"], default="scenario")
    args = p.parse_args()
    if not 4 <= args.ws_kib <= REGION_MIB * 1024:
        p.error(f"--ws-kib must be 4..{REGION_MIB * 1024}")
    if args.format == "trace" and args.ws_kib > HEAP_KIB:
        p.error(f"a trace's working set lives in the heap: --ws-kib must be 4..{HEAP_KIB}")
    if args.reads < 1:
        p.error("--reads must be at least 1")
    (scenario if args.format == "scenario" else trace)(args, sys.stdout)


if __name__ == "__main__":
    main()
