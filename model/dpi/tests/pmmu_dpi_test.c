/*
 * The DPI glue called from C as a simulator calls it (model/dpi/pmmu_dpi.h), against values
 * worked out by hand from docs/spec/x86-paging.md and docs/timing.md.
 *
 * The world: 32-bit paging (the reset state: CR0.PG = 1, CR4 = 0), CR3 = 0x1000,
 * PDE 1 = 0x2023 (present, writable, supervisor, accessed; table at 0x2000),
 * PTE 1 = 0x5063 (present, writable, supervisor, accessed, dirty; frame 0x5000).
 * LA 0x00401234 -> PDE at 0x1004, PTE at 0x2004, PA 0x5234.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmmu_dpi.h"

static int failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      failures++;                                                              \
    }                                                                          \
  } while (0)

#define LA 0x00401234

/* The DUT's accesses of a walk of LA presented in cycle `first` with latency 3 and none of
 * back-pressure, as the scoreboard would observe them. */
static void observe_walk(void *h, long long first) {
  pmmu_dpi_observe_txn(h, 0, 0x1004, 4, 0, 0, 0x2023, 0, first, first, first + 3);
  pmmu_dpi_observe_txn(h, 0, 0x2004, 4, 0, 0, 0x5063, 0, first + 4, first + 4, first + 7);
}

static void test_create_errors(void) {
  CHECK(pmmu_dpi_create(3, 4, 8, 0, 0xACE1, 3) == NULL); /* sets: not a power of two */
  CHECK(strncmp(pmmu_dpi_create_error(), "pmmu_dpi_create: ", 17) == 0);
  CHECK(pmmu_dpi_create(16, 4, 8, 7, 0xACE1, 3) == NULL); /* no policy 7 */
  CHECK(pmmu_dpi_create(16, 4, 8, 0, 0xACE1, 0) == NULL); /* latency 0 */
}

static void test_walk_and_hit(void *h) {
  int outcome, attr, ec, tlb, op, size;
  long long pa, accept, response, exp, des, data, p, a, r;
  svBit err;
  /* a walk: A = 10, m1 presented in 11 and answered in 14, m2 in 15..18, R = 19: 2L + 3 = 9 */
  observe_walk(h, 11);
  CHECK(pmmu_dpi_translate(h, LA, 0, 1, 0, 10) == 0);
  pmmu_dpi_expected(h, &outcome, &pa, &attr, &ec, &tlb, &accept, &response);
  CHECK(outcome == 0 && pa == 0x5234 && tlb == 2 && accept == 10 && response == 19);
  CHECK(pmmu_dpi_expected_txns(h) == 2);
  pmmu_dpi_expected_txn(h, 1, &op, &pa, &size, &exp, &des, &data, &err, &p, &a, &r);
  CHECK(op == 0 && pa == 0x2004 && size == 4 && data == 0x5063 && !err && p == 15 && a == 15 &&
        r == 18);
  CHECK(strcmp(pmmu_dpi_compare_response(h, 0, 0x5234, 0, 0, 2, 10, 19), "") == 0);
  /* a DUT answering another PA, a cycle late */
  const char *rows = pmmu_dpi_compare_response(h, 0, 0x6234, 0, 0, 2, 10, 20);
  CHECK(strstr(rows, "  pa ") && strstr(rows, "0x5234") && strstr(rows, "0x6234"));
  /* cycles in decimal, as the lockstep's table (engine_report.c) */
  CHECK(strstr(rows, "  response cycle         19                                   20\n"));
  CHECK(!strstr(rows, "accept cycle") && !strstr(rows, "memory access"));
  const char *table = pmmu_dpi_report(h, 5);
  CHECK(strncmp(table,
                "lockstep mismatch at request 5 (read sup 0x00401234, presented in cycle 10):\n"
                "  field                  model                                rtl\n",
                140) == 0);
  /* the same page again: a hit, R = A + 1, no access */
  CHECK(pmmu_dpi_translate(h, LA + 4, 0, 1, 0, 19) == 0);
  pmmu_dpi_expected(h, &outcome, &pa, &attr, &ec, &tlb, &accept, &response);
  CHECK(outcome == 0 && pa == 0x5238 && tlb == 1 && accept == 19 && response == 20);
  CHECK(pmmu_dpi_expected_txns(h) == 0);
  /* the DUT walked instead: its accesses are reported, the model's are (none) */
  observe_walk(h, 20);
  rows = pmmu_dpi_compare_response(h, 0, 0x5238, 0, 0, 2, 19, 28);
  CHECK(strstr(rows, "memory access 1") && strstr(rows, "(none)") &&
        strstr(rows, "rd32 0x000001004 = 0x2023 @20/20/23"));
  /* results by name: the TLB use, and an outcome */
  CHECK(strstr(rows, "  tlb                    hit                                  miss\n"));
  rows = pmmu_dpi_compare_response(h, 1, 0, 0, 5, 1, 19, 20);
  CHECK(strstr(rows, "  outcome                ok                                   #PF\n"));
  rows = pmmu_dpi_compare_response(h, 2, 0, 0, 0, 1, 19, 20);
  CHECK(strstr(rows, "  outcome                ok                                   bus error\n"));
}

static void test_fault_and_interrupt(void *h) {
  int outcome, attr, ec, tlb, cr2;
  long long pa, accept, response;
  svBit pending;
  /* a user write to the supervisor page: the cached entry denies it, it is dropped and the
   * page walked (T3): #PF with P | W/R | U/S = 7, CR2 = LA, the interrupt raised */
  CHECK(pmmu_dpi_translate(h, LA, 1, 0, 0, 30) == 0);
  pmmu_dpi_expected(h, &outcome, &pa, &attr, &ec, &tlb, &accept, &response);
  CHECK(outcome == 1 && ec == 7 && tlb == 2 && accept == 30 && response == 39);
  CHECK(pmmu_dpi_expected_outcome(h) == 1);
  pmmu_dpi_interrupt(h, &pending, &cr2, &ec);
  CHECK(pending && cr2 == LA && ec == 7);
  CHECK(strcmp(pmmu_dpi_compare_interrupt(h, 1, LA, 7), "") == 0);
  CHECK(strstr(pmmu_dpi_compare_interrupt(h, 0, LA, 7), "interrupt line (R+1)"));
  pmmu_dpi_ack(h);
  pmmu_dpi_interrupt(h, &pending, &cr2, &ec);
  CHECK(!pending && cr2 == LA); /* CR2 stays readable */
}

static void test_control_inputs(void *h) {
  int outcome, attr, ec, tlb;
  long long pa, accept, response;
  /* CR3 <- 0x1000 again as the ports show it: unchanged inputs and a non-global flush */
  CHECK(pmmu_dpi_control(h, PMMU_DPI_CTL_PG, 0x1000, 1, 0, 0, 40) == 0);
  CHECK(pmmu_dpi_translate(h, LA, 0, 1, 0, 41) == 0);
  pmmu_dpi_expected(h, &outcome, &pa, &attr, &ec, &tlb, &accept, &response);
  CHECK(outcome == 0 && tlb == 2); /* flushed: walks again */
  /* paging off through CR0.PG = 0 (with the invalidation of all it implies): PA = LA, 1 cycle */
  CHECK(pmmu_dpi_control(h, 0, 0x1000, 1, 1, 0, 60) == 0);
  CHECK(pmmu_dpi_translate(h, LA, 0, 1, 0, 61) == 0);
  pmmu_dpi_expected(h, &outcome, &pa, &attr, &ec, &tlb, &accept, &response);
  CHECK(outcome == 0 && pa == LA && tlb == 0 && accept == 61 && response == 62);
  /* a PDPTE load command starts a load the scoreboard finishes in its done cycle */
  CHECK(pmmu_dpi_control(h, PMMU_DPI_CTL_PG | PMMU_DPI_CTL_PAE, 0x1000, 1, 3, 0, 70) == 1);
}

int main(void) {
  test_create_errors();
  void *h = pmmu_dpi_create(16, 4, 8, 0, 0xACE1, 3);
  CHECK(h != NULL);
  if (!h) return 1;
  CHECK(pmmu_dpi_mem_write(h, 0x1002, 4, 0) < 0); /* misaligned */
  CHECK(pmmu_dpi_mem_write(h, 0x1000, 2, 0) < 0); /* no 2-byte access */
  CHECK(pmmu_dpi_write_reg(h, 1, 0x1000, 1) == 0);
  CHECK(pmmu_dpi_mem_write(h, 0x1004, 4, 0x2023) == 0);
  CHECK(pmmu_dpi_mem_write(h, 0x2004, 4, 0x5063) == 0);
  CHECK(pmmu_dpi_mem_read(h, 0x2000, 8) == 0x506300000000LL);
  test_walk_and_hit(h);
  test_fault_and_interrupt(h);
  test_control_inputs(h);
  pmmu_dpi_destroy(h);
  if (failures) return 1;
  printf("pmmu_dpi_test: all checks passed\n");
  return 0;
}
