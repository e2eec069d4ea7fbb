/*
 * The smallest program that uses pmmu as a reference model: the testbench owns physical
 * memory (here 64 KiB), builds a page table in it, and the model reads it through two
 * callbacks. Three requests, each stamped with the cycle it reaches the block: a walk, a TLB
 * hit, a page fault. The expected values are worked out by hand from docs/spec/x86-paging.md
 * and docs/timing.md (T3, T4: with memory latency L = 3, a walk of n accesses takes
 * 1 + n * (1 + L) cycles, a hit 1). Exit status 0 if the model agrees, 1 if not.
 * Built outside the tree by the ctest install.consumers (docs/integration.md).
 */
#include <pmmu/pmmu.h>

#include <stdio.h>
#include <string.h>

static uint8_t ram[64 * 1024];

static bool ram_read(void *ctx, uint64_t pa, unsigned size, uint64_t *value) {
  (void)ctx;
  if (pa + size > sizeof ram) return false; /* a bus error */
  *value = 0;
  memcpy(value, &ram[pa], size); /* little-endian host */
  return true;
}

static bool ram_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                    uint64_t *old) {
  if (!ram_read(ctx, pa, size, old)) return false;
  if (*old == expected) memcpy(&ram[pa], &desired, size);
  return true;
}

static void put32(uint64_t pa, uint32_t v) { memcpy(&ram[pa], &v, 4); }
static uint32_t get32(uint64_t pa) {
  uint32_t v;
  memcpy(&v, &ram[pa], 4);
  return v;
}

static int failures;

/* Prints one result beside its expected value; addresses in hex, counts and cycles not. */
static void check(const char *what, uint64_t got, uint64_t want) {
  const char *fmt =
      want > 9 && strstr(what, "cycle") == NULL ? "  %-22s 0x%-8llx" : "  %-22s %-10llu";
  printf(fmt, what, (unsigned long long)got);
  printf(got == want ? " ok\n" : " WRONG, expected 0x%llx\n", (unsigned long long)want);
  if (got != want) failures++;
}

static pmmu_response translate(pmmu_t *m, uint32_t la, pmmu_access access, pmmu_priv priv,
                               uint64_t cycle) {
  pmmu_request req = {.la = la, .access = access, .priv = priv, .cycle = cycle};
  pmmu_response rsp;
  pmmu_error err = pmmu_translate(m, &req, &rsp);
  if (err != PMMU_E_OK) {
    fprintf(stderr, "pmmu_translate: %s\n", pmmu_strerror(err));
    memset(&rsp, 0, sizeof rsp);
    failures++;
  }
  printf("%s 0x%08x at cycle %llu:\n", pmmu_access_name(access), la, (unsigned long long)cycle);
  return rsp;
}

int main(void) {
  /* 32-bit paging: the page directory at 0x1000; PDE 1 (LA 0x00400000..0x007FFFFF) points to
   * the page table at 0x2000, whose PTE 0 maps the page at 0x5000. P | RW, A clear. */
  put32(0x1000 + 1 * 4, 0x2000 | PMMU_PTE_P | PMMU_PTE_RW);
  put32(0x2000 + 0 * 4, 0x5000 | PMMU_PTE_P | PMMU_PTE_RW);

  pmmu_config cfg;
  pmmu_config_init(&cfg); /* 16x4 TLB, memory latency 3 */
  cfg.mem.read = ram_read;
  cfg.mem.cas = ram_cas;
  pmmu_t *m;
  pmmu_error err = pmmu_create(&cfg, &m);
  if (err != PMMU_E_OK) {
    fprintf(stderr, "pmmu_create: %s\n", pmmu_strerror(err));
    return 1;
  }
  printf("pmmu %s (header %s)\n", pmmu_version(), PMMU_VERSION_STRING);
  check("library = header", pmmu_version_number(), PMMU_VERSION_NUMBER);
  check("write CR3 at cycle 1", (uint64_t)pmmu_write_cr3(m, 0x1000, 1, NULL), PMMU_E_OK);

  /* A walk: PDE read, PTE read, then A set in each by a compare-and-swap: 4 accesses,
   * R = A + 1 + 4 * (1 + 3) = 10 + 17. */
  pmmu_response r = translate(m, 0x00400123, PMMU_READ, PMMU_SUPERVISOR, 10);
  check("outcome (0 = PMMU_OK)", r.outcome, PMMU_OK);
  check("pa", r.pa, 0x5123);
  check("tlb (2 = miss)", r.tlb, PMMU_TLB_MISS);
  check("memory accesses", r.mem_accesses, 4);
  check("response cycle", r.response_cycle, 27);
  check("PDE after (A set)", get32(0x1004), 0x2023);
  check("PTE after (A set)", get32(0x2000), 0x5023);

  /* The same page again: a TLB hit, R = A + 1. */
  r = translate(m, 0x00400ABC, PMMU_READ, PMMU_SUPERVISOR, 30);
  check("pa", r.pa, 0x5ABC);
  check("tlb (1 = hit)", r.tlb, PMMU_TLB_HIT);
  check("response cycle", r.response_cycle, 31);

  /* PDE 2 is not present: #PF after one read, error code W/R | U/S = 0x6, R = 40 + 5. */
  r = translate(m, 0x00800010, PMMU_WRITE, PMMU_USER, 40);
  check("outcome (1 = #PF)", r.outcome, PMMU_PAGE_FAULT);
  check("error code", r.error_code, PMMU_EC_WR | PMMU_EC_US);
  check("cr2", r.cr2, 0x00800010);
  check("response cycle", r.response_cycle, 45);
  pmmu_interrupt_state irq;
  pmmu_get_interrupt(m, &irq);
  check("interrupt pending", irq.pending, 1);

  pmmu_destroy(m);
  printf("%s\n", failures ? "FAILED" : "all as expected");
  return failures ? 1 : 0;
}
