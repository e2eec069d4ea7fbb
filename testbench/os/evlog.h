/*
 * The OS event log of `pmmu sim --log KINDS` (docs/os.md, "The event log"): one line per
 * event of the testbench OS, as it happens, greppable by page (`va=0x0804a000`) and by
 * process (`pid=2 `). The lines come from the kernel's event hook (os_config.event), so they
 * say what the OS did, whichever engine ran the PMMU.
 */
#ifndef PMMU_OS_EVLOG_H
#define PMMU_OS_EVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "os.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kinds --log selects (a mask). */
enum {
  EVLOG_FAULTS = 1u << 0,    /* fault lines: a page mapped by the fault handler */
  EVLOG_EVICTIONS = 1u << 1, /* evict lines: a page that lost its frame */
  EVLOG_SWAP = 1u << 2,      /* the fault and evict lines that go to or come from swap */
  EVLOG_COW = 1u << 3,       /* cow lines */
  EVLOG_SEGV = 1u << 4,      /* segv lines */
  EVLOG_SWITCH = 1u << 5,    /* switch lines (CR3 writes) */
  EVLOG_FORK = 1u << 6,      /* fork and exec lines */
  EVLOG_EXIT = 1u << 7,      /* exit lines */
  EVLOG_ALL = (1u << 8) - 1
};
#define EVLOG_KINDS "faults, evictions, swap, cow, segv, switch, fork, exit, all"

/* "faults,cow" -> a mask. False for an empty list or an unknown word (copied into bad). */
bool evlog_parse(const char *list, unsigned *mask, char *bad, size_t bad_len);

typedef struct evlog {
  FILE *out;
  unsigned mask;
} evlog;

/* An os_event_fn: ctx is an evlog. Prints the event if its kind is selected. */
void evlog_event(void *ctx, const os_t *os, const os_event *ev);

/* The line of one event (without the newline), whatever the mask; false for the events that
 * have no line (the PMMU's side of accesses). */
bool evlog_format(const os_event *ev, char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
