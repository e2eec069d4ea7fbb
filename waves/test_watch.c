/* ctest waves.watch: the report watcher (pmmu_waves.c) finds the same failure cycles in a
 * mismatch report whatever form its cycles take: hex with 0x (pmmu up to issue 13), decimal
 * (issue 13), with result names after the number, and with other column widths. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pmmu_waves.h"

static int failures;

/* Feeds `report` to a watcher and checks the window of --waves-on-failure 3. */
static void check(const char *what, const char *report, uint64_t want_from, uint64_t want_to) {
  FILE *w = waves_watch(NULL);
  waves_watch_reset();
  fputs(report, w);
  fflush(w);
  waves_options o;
  waves_options_init(&o);
  o.on_failure = 3;
  uint64_t from = 0, to = 0;
  bool failed = waves_failed();
  if (failed) waves_failure_window(&o, &from, &to);
  if (!failed || from != want_from || to != want_to) {
    printf("FAIL %s: failed %d, window %llu..%llu, want %llu..%llu\n", what, failed,
           (unsigned long long)from, (unsigned long long)to, (unsigned long long)want_from,
           (unsigned long long)want_to);
    failures++;
  } else {
    printf("ok   %s: window %llu..%llu\n", what, (unsigned long long)from, (unsigned long long)to);
  }
  fclose(w);
}

int main(void) {
  /* response cycles 25 (model) and 26 (rtl): divergence 25, request accepted in cycle 20,
   * window [25 - 3, 25 + 2] widened to the request: [20 - 8, 27] */
  check("hex cycles",
        "lockstep mismatch at request 1 (read user 0xce5ee820, presented in cycle 20):\n"
        "  field                  model                                rtl\n"
        "  response cycle         0x19                                 0x1a\n"
        "  reproduce: pmmu cosim --seed 1\n",
        12, 27);
  check("decimal cycles",
        "lockstep mismatch at request 1 (read user 0xce5ee820, presented in cycle 20):\n"
        "  field                  model                                rtl\n"
        "  response cycle         25                                   26\n"
        "  reproduce: pmmu cosim --seed 1\n",
        12, 27);
  check("decimal cycles, other columns, names after the numbers",
        "lockstep mismatch at request 1 (read user 0xce5ee820, presented in cycle 20):\n"
        "  field                          model                  rtl\n"
        "  response cycle                 25 (ok)                26 (ok)\n"
        "  reproduce: pmmu cosim --seed 1\n",
        12, 27);
  /* a memory access presented in cycle 24 by the model, 25 by the RTL: divergence 24 */
  check(
      "memory access, decimal",
      "lockstep mismatch at request 1 (read user 0xce5ee820, presented in cycle 20):\n"
      "  field                  model                                rtl\n"
      "  memory access 1        rd32 0x000001004 = 0x2007 @24/25/27  rd32 0x000001004 = 0x2007 @25/26/28\n"
      "  reproduce: pmmu cosim --seed 1\n",
      12, 26);
  check(
      "memory access, hex",
      "lockstep mismatch at request 1 (read user 0xce5ee820, presented in cycle 0x14):\n"
      "  field                  model                                rtl\n"
      "  memory access 1        rd32 0x000001004 = 0x2007 @0x18/0x19/0x1b rd32 0x000001004 = 0x2007 @0x19/0x1a/0x1c\n"
      "  reproduce: pmmu cosim --seed 1\n",
      12, 26);
  return failures ? 1 : 0;
}
