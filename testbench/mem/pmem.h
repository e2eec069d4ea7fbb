/*
 * pmem: the physical memory that the page walker sees, shared by every engine (the model,
 * the RTL, both in lockstep) so that they see the same data and the same timing.
 *
 * - Sparse, 36-bit, little-endian; memory never written reads as zero.
 * - Timing per request (docs/timing.md T4): w cycles of back-pressure, then a latency L.
 *   Both are fixed, or drawn from a SplitMix64 stream seeded by the user, in a fixed order per
 *   request: first w (only when wait_max > 0), then L (only when lat_min < lat_max), then the
 *   bus-error draw (only when bus_error_permille > 0). The k-th request of a run therefore
 *   gets the same timing in every engine.
 * - Bus errors: on a PA range, or drawn per request.
 */
#ifndef PMMU_PMEM_H
#define PMMU_PMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmmu/pmmu.h"

typedef struct pmem pmem_t;

typedef struct pmem_timing {
  unsigned lat_min, lat_max;   /* latency L, >= 1; fixed when equal */
  unsigned wait_min, wait_max; /* back-pressure w drawn from wait_min..wait_max (0..0: none) */
  unsigned bus_error_permille;
  uint64_t seed;
} pmem_timing;

/* L = 3, no back-pressure, no bus errors, seed 1. */
void pmem_timing_init(pmem_timing *t);

pmem_t *pmem_create(void);
void pmem_destroy(pmem_t *mem);
/* Sets the timing and restarts its random stream from the seed. */
void pmem_set_timing(pmem_t *mem, const pmem_timing *t);
const pmem_timing *pmem_get_timing(const pmem_t *mem);
/* Every access to [lo, hi) answers with a bus error. Empty range (lo >= hi): none. */
void pmem_set_bus_error_range(pmem_t *mem, uint64_t lo, uint64_t hi);

/* The request with this index (0 = the first after pmem_set_timing) answers with a bus
 * error; UINT64_MAX: none. */
void pmem_set_bus_error_request(pmem_t *mem, uint64_t index);

/* Plain accesses by the testbench (no timing, no bus errors). size is 4 or 8; pa must be
 * aligned and below 2^36 (the caller checks). Returns false only when out of memory. */
bool pmem_write(pmem_t *mem, uint64_t pa, unsigned size, uint64_t value);
uint64_t pmem_read(const pmem_t *mem, uint64_t pa, unsigned size);
/* `n` 8-byte words from pa on (pa 8-byte aligned), as n pmem_write/pmem_read of size 8 at
 * pa, pa + 8, ... would do, one copy per 4 KiB page: the OS of `pmmu sim` fills, copies and
 * swaps whole pages. pmem_write_words returns false only when out of memory. */
bool pmem_write_words(pmem_t *mem, uint64_t pa, const uint64_t *v, size_t n);
void pmem_read_words(const pmem_t *mem, uint64_t pa, uint64_t *v, size_t n);

/* ---- A second memory master (scenario `poke`, docs/spec/scenario-format.md) --------------
 * A write by another agent (a DMA, another CPU) that lands at the end of cycle `cycle`: a walker
 * access the memory takes in that cycle or earlier does not see it, one taken in a later cycle
 * does (the memory acts in the cycle it accepts a request: pmem_next_timing's *accept). Pokes
 * wait in a queue, in cycle order (the order given within a cycle), and land when a walker
 * access is taken after their cycle, or when pmem_land_pokes() says so. Returns false only when
 * out of memory. The caller keeps `cycle` at or after pmem_last_access_cycle(). */
bool pmem_poke(pmem_t *mem, uint64_t cycle, uint64_t pa, unsigned size, uint64_t value);
/* Lands every waiting poke (the testbench reads or writes memory between operations: every
 * poke given before has landed by then). False only when out of memory. */
bool pmem_land_pokes(pmem_t *mem);
/* The cycle the memory took its latest walker access in (0 before any). */
uint64_t pmem_last_access_cycle(const pmem_t *mem);
/* Pokes given and not landed yet. */
uint64_t pmem_pokes_waiting(const pmem_t *mem);
/* Pokes that landed since creation. */
uint64_t pmem_pokes_landed(const pmem_t *mem);

/* The walker's side: the pmmu_mem_ops callbacks over this memory. */
pmmu_mem_ops pmem_ops(pmem_t *mem);

/* Draws the timing of the next request presented in `present`: accept and response cycle,
 * and whether its data phase answers with a bus error. The RTL testbench calls this when it
 * sees a request; the model reaches it through pmem_ops().timing. */
void pmem_next_timing(pmem_t *mem, uint64_t present, uint64_t *accept, uint64_t *response,
                      bool *bus_error);

/* Requests served since creation or the last pmem_set_timing. */
uint64_t pmem_requests(const pmem_t *mem);

#endif
