/* The sparse physical memory with seeded timing. See pmem.h. */
#include "pmem.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_BITS 12
#define LEAF_BITS 12 /* pages per second-level table */
#define TOP_SIZE (1u << (PMMU_MAXPHYADDR - PAGE_BITS - LEAF_BITS))
#define LEAF_SIZE (1u << LEAF_BITS)
#define PAGE_SIZE (1u << PAGE_BITS)

struct pmem {
  uint8_t **top[TOP_SIZE]; /* top[i][j] is the 4 KiB page (i << 12 | j), or NULL */
  pmem_timing timing;
  uint64_t rng;
  uint64_t requests;
  uint64_t err_lo, err_hi;
  uint64_t err_request;
  bool pending_error; /* drawn by the last timing call, taken by the next data phase */
  uint64_t act_cycle; /* the cycle the memory takes the access drawn last (its accept cycle) */
  /* pmem_poke: writes of a second master, waiting to land, in cycle order */
  struct poke {
    uint64_t cycle, pa, value;
    unsigned size;
  } * pokes;
  size_t n_pokes, cap_pokes, first_poke; /* [first_poke, n_pokes) wait */
  uint64_t landed;
  bool poke_oom; /* a poke could not land (no host memory): the next write reports it */
};

void pmem_timing_init(pmem_timing *t) {
  memset(t, 0, sizeof *t);
  t->lat_min = t->lat_max = 3;
  t->seed = 1;
}

pmem_t *pmem_create(void) {
  pmem_t *mem = calloc(1, sizeof *mem);
  if (!mem) return NULL;
  pmem_timing t;
  pmem_timing_init(&t);
  pmem_set_timing(mem, &t);
  return mem;
}

void pmem_destroy(pmem_t *mem) {
  if (!mem) return;
  for (unsigned i = 0; i < TOP_SIZE; i++) {
    if (!mem->top[i]) continue;
    for (unsigned j = 0; j < LEAF_SIZE; j++) free(mem->top[i][j]);
    free(mem->top[i]);
  }
  free(mem->pokes);
  free(mem);
}

void pmem_set_timing(pmem_t *mem, const pmem_timing *t) {
  mem->timing = *t;
  if (mem->timing.lat_min < 1) mem->timing.lat_min = 1;
  if (mem->timing.lat_max < mem->timing.lat_min) mem->timing.lat_max = mem->timing.lat_min;
  mem->rng = t->seed;
  mem->requests = 0;
  mem->err_request = UINT64_MAX;
  mem->pending_error = false;
  mem->act_cycle = 0; /* cycles count from 0 again (a reset) */
}

const pmem_timing *pmem_get_timing(const pmem_t *mem) { return &mem->timing; }

void pmem_set_bus_error_range(pmem_t *mem, uint64_t lo, uint64_t hi) {
  mem->err_lo = lo;
  mem->err_hi = hi;
}

uint64_t pmem_requests(const pmem_t *mem) { return mem->requests; }

void pmem_set_bus_error_request(pmem_t *mem, uint64_t index) { mem->err_request = index; }

/* ---- Storage ------------------------------------------------------------------------ */

static uint8_t *page_of(const pmem_t *mem, uint64_t pa) {
  uint64_t page = (pa & PMMU_PA_MASK) >> PAGE_BITS;
  uint8_t **leaf = mem->top[page >> LEAF_BITS];
  return leaf ? leaf[page & (LEAF_SIZE - 1)] : NULL;
}

static uint8_t *page_for_write(pmem_t *mem, uint64_t pa) {
  uint64_t page = (pa & PMMU_PA_MASK) >> PAGE_BITS;
  uint8_t ***leaf = &mem->top[page >> LEAF_BITS];
  if (!*leaf && !(*leaf = calloc(LEAF_SIZE, sizeof **leaf))) return NULL;
  uint8_t **slot = &(*leaf)[page & (LEAF_SIZE - 1)];
  if (!*slot) *slot = calloc(1, PAGE_SIZE);
  return *slot;
}

/* Little-endian bytes: on a little-endian host a fixed-size memcpy, one load or store (the OS
 * of `pmmu sim` reads and writes page tables and frames a word at a time through here, for
 * both engines' memories); elsewhere byte by byte. */
static inline void put_le(uint8_t *p, unsigned n, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n == 4) {
    uint32_t w = (uint32_t)v;
    memcpy(p, &w, 4);
    return;
  }
  if (n == 8) {
    memcpy(p, &v, 8);
    return;
  }
#endif
  for (unsigned i = 0; i < n; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t get_le(const uint8_t *p, unsigned n) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (n == 4) {
    uint32_t w;
    memcpy(&w, p, 4);
    return w;
  }
  if (n == 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
  }
#endif
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
  return v;
}

bool pmem_write(pmem_t *mem, uint64_t pa, unsigned size, uint64_t value) {
  uint8_t *page = page_for_write(mem, pa);
  if (!page) return false;
  put_le(page + (pa & (PAGE_SIZE - 1)), size, value);
  return true;
}

uint64_t pmem_read(const pmem_t *mem, uint64_t pa, unsigned size) {
  const uint8_t *page = page_of(mem, pa);
  if (!page) return 0;
  return get_le(page + (pa & (PAGE_SIZE - 1)), size);
}

/* The words of one page at a time; on a little-endian host the page holds them as they are. */
static size_t words_in_page(uint64_t pa, size_t n) {
  size_t k = (PAGE_SIZE - (pa & (PAGE_SIZE - 1))) / 8;
  return k < n ? k : n;
}

bool pmem_write_words(pmem_t *mem, uint64_t pa, const uint64_t *v, size_t n) {
  while (n) {
    uint8_t *page = page_for_write(mem, pa);
    if (!page) return false;
    size_t k = words_in_page(pa, n);
    uint8_t *p = page + (pa & (PAGE_SIZE - 1));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    memcpy(p, v, 8 * k);
#else
    for (size_t i = 0; i < k; i++) put_le(p + 8 * i, 8, v[i]);
#endif
    pa += 8 * k;
    v += k;
    n -= k;
  }
  return true;
}

void pmem_read_words(const pmem_t *mem, uint64_t pa, uint64_t *v, size_t n) {
  while (n) {
    const uint8_t *page = page_of(mem, pa);
    size_t k = words_in_page(pa, n);
    if (!page) {
      memset(v, 0, 8 * k);
    } else {
      const uint8_t *p = page + (pa & (PAGE_SIZE - 1));
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      memcpy(v, p, 8 * k);
#else
      for (size_t i = 0; i < k; i++) v[i] = get_le(p + 8 * i, 8);
#endif
    }
    pa += 8 * k;
    v += k;
    n -= k;
  }
}

/* ---- Timing --------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state) {
  uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static unsigned draw(pmem_t *mem, unsigned lo, unsigned hi) {
  return lo + (unsigned)(splitmix64(&mem->rng) % ((uint64_t)hi - lo + 1));
}

void pmem_next_timing(pmem_t *mem, uint64_t present, uint64_t *accept, uint64_t *response,
                      bool *bus_error) {
  const pmem_timing *t = &mem->timing;
  unsigned wait =
      t->wait_max ? draw(mem, t->wait_min <= t->wait_max ? t->wait_min : t->wait_max, t->wait_max)
                  : 0;
  unsigned lat = t->lat_min < t->lat_max ? draw(mem, t->lat_min, t->lat_max) : t->lat_min;
  *bus_error = t->bus_error_permille && draw(mem, 0, 999) < t->bus_error_permille;
  if (mem->requests == mem->err_request) *bus_error = true;
  *accept = present + wait;
  *response = *accept + lat;
  mem->act_cycle = *accept;
  mem->requests++;
}

/* ---- The second master ------------------------------------------------------------------ */

bool pmem_poke(pmem_t *mem, uint64_t cycle, uint64_t pa, unsigned size, uint64_t value) {
  if (mem->n_pokes == mem->cap_pokes) {
    if (mem->first_poke) { /* reuse the room of the landed ones */
      memmove(mem->pokes, mem->pokes + mem->first_poke,
              (mem->n_pokes - mem->first_poke) * sizeof *mem->pokes);
      mem->n_pokes -= mem->first_poke;
      mem->first_poke = 0;
    }
  }
  if (mem->n_pokes == mem->cap_pokes) {
    size_t cap = mem->cap_pokes ? 2 * mem->cap_pokes : 16;
    struct poke *grown = realloc(mem->pokes, cap * sizeof *grown);
    if (!grown) return false;
    mem->pokes = grown;
    mem->cap_pokes = cap;
  }
  /* in cycle order; after the pokes of the same cycle given before */
  size_t i = mem->n_pokes;
  while (i > mem->first_poke && mem->pokes[i - 1].cycle > cycle) {
    mem->pokes[i] = mem->pokes[i - 1];
    i--;
  }
  mem->pokes[i] = (struct poke){.cycle = cycle, .pa = pa, .value = value, .size = size};
  mem->n_pokes++;
  return true;
}

/* Lands the pokes of cycles before `cycle` (all: every one). */
static void land(pmem_t *mem, bool all, uint64_t cycle) {
  while (mem->first_poke < mem->n_pokes && (all || mem->pokes[mem->first_poke].cycle < cycle)) {
    const struct poke *k = &mem->pokes[mem->first_poke++];
    if (!pmem_write(mem, k->pa, k->size, k->value)) mem->poke_oom = true;
    mem->landed++;
  }
  if (mem->first_poke == mem->n_pokes) mem->first_poke = mem->n_pokes = 0;
}

bool pmem_land_pokes(pmem_t *mem) {
  land(mem, true, 0);
  bool ok = !mem->poke_oom;
  mem->poke_oom = false;
  return ok;
}

uint64_t pmem_last_access_cycle(const pmem_t *mem) { return mem->act_cycle; }

uint64_t pmem_pokes_landed(const pmem_t *mem) { return mem->landed; }

uint64_t pmem_pokes_waiting(const pmem_t *mem) { return mem->n_pokes - mem->first_poke; }

/* ---- The walker's callbacks ------------------------------------------------------------ */

static bool take_error(pmem_t *mem, uint64_t pa) {
  bool err = mem->pending_error || (pa >= mem->err_lo && pa < mem->err_hi);
  mem->pending_error = false;
  return err;
}

static bool cb_read(void *ctx, uint64_t pa, unsigned size, uint64_t *value) {
  pmem_t *mem = ctx;
  land(mem, false, mem->act_cycle); /* pmem_poke: what landed before the memory takes it */
  if (take_error(mem, pa)) return false;
  *value = pmem_read(mem, pa, size);
  return true;
}

static bool cb_cas(void *ctx, uint64_t pa, unsigned size, uint64_t expected, uint64_t desired,
                   uint64_t *old) {
  pmem_t *mem = ctx;
  land(mem, false, mem->act_cycle);
  if (take_error(mem, pa)) return false;
  *old = pmem_read(mem, pa, size);
  if (*old == expected) return pmem_write(mem, pa, size, desired);
  return true;
}

static void cb_timing(void *ctx, pmmu_mem_op op, uint64_t pa, unsigned size, uint64_t present,
                      uint64_t *accept, uint64_t *response) {
  (void)op;
  (void)pa;
  (void)size;
  pmem_t *mem = ctx;
  pmem_next_timing(mem, present, accept, response, &mem->pending_error);
}

pmmu_mem_ops pmem_ops(pmem_t *mem) {
  pmmu_mem_ops ops = {.read = cb_read, .cas = cb_cas, .timing = cb_timing, .ctx = mem};
  return ops;
}
