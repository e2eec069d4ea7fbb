/*
 * Tests of the quiz library (quiz.h).
 *
 *   pmmu_quiz_tests NAME [ARG]   runs one test; exit 0 if every check held
 *
 * The answer keys are checked against a reference walker written here from
 * docs/spec/x86-paging.md alone (sections 3-6), not against libpmmu: `walker` over many seeds
 * in each mode, `golden` on the committed golden files, whose worlds it reads back from their
 * own text (the dump), so that a golden file is verified by what it says, not by who wrote it.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quiz_internal.h"

static unsigned failures;

#define CHECK(cond, ...)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      failures++;                                                                \
      if (failures <= 10) {                                                      \
        fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__);                                            \
        fprintf(stderr, "\n");                                                   \
      }                                                                          \
    }                                                                            \
  } while (0)

/* ---- The reference walker (x86-paging.md, written without looking at walk.c) ----------- */

typedef uint64_t (*ref_read)(const void *ctx, uint64_t pa, unsigned size);

typedef struct ref_walk {
  unsigned n; /* entries read */
  uint64_t addr[3], value[3];
  bool fault;
  uint32_t ec;
  uint64_t pa;
  unsigned shift; /* page size, when the walk completed */
  bool complete;
  bool u, w, x; /* the combined rights, when the walk completed */
} ref_walk;

static bool bit(uint64_t v, unsigned b) { return (v >> b) & 1; }

static uint64_t read_step(ref_walk *w, ref_read rd, const void *ctx, uint64_t pa, unsigned size) {
  uint64_t v = rd(ctx, pa, size);
  w->addr[w->n] = pa, w->value[w->n] = v, w->n++;
  return v;
}

/* §4: bits 62:36 reserved in every present PDE/PTE; bit 63 too unless EFER.NXE. */
static bool pae_reserved(uint64_t v, bool nxe) {
  return (v & UINT64_C(0x7FFFFFF000000000)) || (!nxe && bit(v, 63));
}

/* Walks to the leaf; returns the entries that give the rights (1 or 2), 0 on a fault. */
static unsigned ref_descend(const pmmu_control *c, ref_read rd, const void *ctx, uint32_t la,
                            ref_walk *w, uint64_t leaf[2], bool *rsvd) {
  bool pae = bit(c->cr4, 5), nxe = bit(c->efer, 11);
  *rsvd = false;
  if (pae) {
    uint64_t pdpte = read_step(w, rd, ctx, (c->cr3 & 0xFFFFFFE0u) + 8u * (la >> 30), 8);
    if (!bit(pdpte, 0)) return 0;
    uint64_t pde =
        read_step(w, rd, ctx, (pdpte & UINT64_C(0xFFFFFF000)) + 8u * ((la >> 21) & 0x1FF), 8);
    if (!bit(pde, 0)) return 0;
    if ((*rsvd = pae_reserved(pde, nxe) || (bit(pde, 7) && (pde & 0x1FE000)))) return 0;
    leaf[0] = pde;
    if (bit(pde, 7)) {
      w->pa = (pde & UINT64_C(0xFFFE00000)) | (la & 0x1FFFFF), w->shift = 21;
      return 1;
    }
    uint64_t pte =
        read_step(w, rd, ctx, (pde & UINT64_C(0xFFFFFF000)) + 8u * ((la >> 12) & 0x1FF), 8);
    if (!bit(pte, 0)) return 0;
    if ((*rsvd = pae_reserved(pte, nxe))) return 0;
    leaf[1] = pte;
    w->pa = (pte & UINT64_C(0xFFFFFF000)) | (la & 0xFFF), w->shift = 12;
    return 2;
  }
  uint64_t pde = read_step(w, rd, ctx, (c->cr3 & 0xFFFFF000u) + 4u * (la >> 22), 4);
  if (!bit(pde, 0)) return 0;
  leaf[0] = pde;
  if (bit(c->cr4, 4) && bit(pde, 7)) {
    if ((*rsvd = (pde & 0x3E0000) != 0)) return 0;
    w->pa = ((pde >> 13) & 0xF) << 32 | (pde & 0xFFC00000u) | (la & 0x3FFFFF), w->shift = 22;
    return 1;
  }
  uint64_t pte = read_step(w, rd, ctx, (pde & 0xFFFFF000u) + 4u * ((la >> 12) & 0x3FF), 4);
  if (!bit(pte, 0)) return 0;
  leaf[1] = pte;
  w->pa = (pte & 0xFFFFF000u) | (la & 0xFFF), w->shift = 12;
  return 2;
}

static void ref_translate(const pmmu_control *c, ref_read rd, const void *ctx,
                          const pmmu_request *r, ref_walk *w) {
  memset(w, 0, sizeof *w);
  uint64_t e[2];
  bool rsvd;
  unsigned n = ref_descend(c, rd, ctx, r->la, w, e, &rsvd);
  bool user = r->priv == PMMU_USER, write = r->access == PMMU_WRITE,
       fetch = r->access == PMMU_FETCH;
  bool nx_on = bit(c->cr4, 5) && bit(c->efer, 11);
  bool denied = false;
  if (n) {
    w->complete = true;
    bool u = true, wr = true, xd = false;
    for (unsigned i = 0; i < n; i++) u &= bit(e[i], 2), wr &= bit(e[i], 1), xd |= bit(e[i], 63);
    bool x = !(nx_on && xd);
    w->u = u, w->w = wr, w->x = x;
    /* §5, without SMEP and SMAP (the quiz never sets them). */
    denied = (user && !u) || (write && !wr && (user || bit(c->cr0, 16))) || (fetch && !x);
  }
  w->fault = !n || denied;
  if (!w->fault) return;
  w->pa = 0;
  w->ec = (n || rsvd ? 1u : 0u) | (write ? 2u : 0u) | (user ? 4u : 0u) | (rsvd ? 8u : 0u) |
          (fetch && nx_on ? 16u : 0u);
}

static uint64_t quiz_read_cb(const void *ctx, uint64_t pa, unsigned size) {
  return quiz_mem_read(ctx, pa, size);
}

/* ---- Generation ------------------------------------------------------------------------ */

static quiz_t *make(uint64_t seed, quiz_mode mode, bool nx, unsigned items) {
  quiz_options o;
  quiz_options_init(&o);
  o.seed = seed, o.mode = mode, o.nx = nx, o.items = items;
  quiz_t *q = quiz_generate(&o);
  if (!q) {
    fprintf(stderr, "quiz_generate failed for seed %" PRIu64 "\n", seed);
    exit(2);
  }
  return q;
}

typedef struct text {
  char *s;
  size_t len;
  FILE *f;
} text;

static FILE *text_open(text *t) {
  memset(t, 0, sizeof *t);
  return t->f = open_memstream(&t->s, &t->len);
}
static void text_close(text *t) { fclose(t->f); }

static void print_everything(const quiz_t *q, FILE *f) {
  quiz_print(q, QUIZ_VIEW_SOLVE, false, f);
  quiz_print(q, QUIZ_VIEW_QUESTION, true, f);
  quiz_print_json(q, f);
  for (quiz_format fm = QUIZ_FORMAT_TEXT; fm <= QUIZ_FORMAT_GIFT; fm++)
    quiz_export(q, fm, false, f);
}

static void test_prng(void) {
  uint64_t s = 0; /* splitmix64's published first outputs from state 0 */
  CHECK(quiz_rng_next(&s) == UINT64_C(0xE220A8397B1DCDAF), "splitmix64 #1");
  CHECK(quiz_rng_next(&s) == UINT64_C(0x6E789E6AA1B965F4), "splitmix64 #2");
  CHECK(quiz_rng_next(&s) == UINT64_C(0x06C45D188009454F), "splitmix64 #3");
  /* FNV-1a 64 of "hw3\0s1234" and "os-2026-lab1\0alice", computed apart (Python). */
  CHECK(quiz_student_seed("hw3", "s1234") == UINT64_C(0x4064BB3C8CC32514), "fnv hw3");
  CHECK(quiz_student_seed("os-2026-lab1", "alice") == UINT64_C(0x3709B212A955DA15), "fnv alice");
  CHECK(quiz_student_seed("ab", "c") != quiz_student_seed("a", "bc"), "separator");
}

static void test_determinism(void) {
  static const quiz_mode modes[] = {QUIZ_MODE_32, QUIZ_MODE_PSE, QUIZ_MODE_PAE};
  for (uint64_t seed = 0; seed < 40; seed++) {
    text a, b, c;
    quiz_mode m = modes[seed % 3];
    quiz_t *q1 = make(seed * 0x9E3779B97F4A7C15u, m, m == QUIZ_MODE_PAE && seed % 2, 8);
    quiz_t *q2 = make(seed * 0x9E3779B97F4A7C15u, m, m == QUIZ_MODE_PAE && seed % 2, 8);
    quiz_t *q3 = make(seed * 0x9E3779B97F4A7C15u + 1, m, m == QUIZ_MODE_PAE && seed % 2, 8);
    print_everything(q1, text_open(&a));
    print_everything(q2, text_open(&b));
    print_everything(q3, text_open(&c));
    text_close(&a), text_close(&b), text_close(&c);
    CHECK(a.len == b.len && memcmp(a.s, b.s, a.len) == 0, "seed %" PRIu64 ": two runs differ",
          seed);
    CHECK(a.len != c.len || memcmp(a.s, c.s, a.len) != 0,
          "seed %" PRIu64 " and the next are the same", seed);
    free(a.s), free(b.s), free(c.s);
    quiz_free(q1), quiz_free(q2), quiz_free(q3);
  }
}

/* ---- The answer keys against the reference walker ---------------------------------------- */

typedef struct tally {
  unsigned ok, np_pdpte, np_pde, np_pte, user_sup, user_ro, sup_ro, nx, large, hits;
} tally;

static void classify(const quiz_item *it, const ref_walk *w, bool pae, tally *t) {
  const pmmu_request *r = &it->req;
  if (!w->fault) t->ok++;
  if (w->complete && w->shift != 12) t->large++;
  if (it->tlb_hit) t->hits++;
  if (!w->fault) return;
  if (!w->complete) { /* not present: at the last entry read (0 PDPTE, 1 PDE, 2 PTE) */
    unsigned level = w->n - 1 + (pae ? 0 : 1);
    if (level == 0) t->np_pdpte++;
    else if (level == 1) t->np_pde++;
    else t->np_pte++;
  } else if (r->priv == PMMU_USER && !w->u) {
    t->user_sup++;
  } else if (r->access == PMMU_WRITE && !w->w) {
    if (r->priv == PMMU_USER) t->user_ro++;
    else t->sup_ro++;
  } else if (r->access == PMMU_FETCH && !w->x) {
    t->nx++;
  }
}

/* The TLB column, from a model of the rules of x86-paging.md §7-8 for a TLB that nothing is
 * evicted from (at most 4 items in 4 ways): an entry caches a successful translation with
 * its rights and the leaf's D; a hit whose rights deny, or a write to a clean entry, walks. */
typedef struct ref_tlb {
  unsigned n;
  uint32_t page[QUIZ_MAX_ITEMS];
  unsigned shift[QUIZ_MAX_ITEMS];
  bool dirty[QUIZ_MAX_ITEMS];
} ref_tlb;

static bool ref_tlb_access(ref_tlb *t, const pmmu_request *r, const ref_walk *w) {
  int found = -1;
  for (unsigned i = 0; i < t->n; i++)
    if (t->page[i] == r->la >> t->shift[i]) found = (int)i;
  bool hit = found >= 0 && !w->fault && !(r->access == PMMU_WRITE && !t->dirty[found]);
  if (found >= 0 && !hit) t->page[found] = UINT32_MAX; /* dropped (never matches again) */
  if (!w->fault && !hit) {
    uint64_t leaf = w->value[w->n - 1];
    t->page[t->n] = r->la >> w->shift, t->shift[t->n] = w->shift;
    t->dirty[t->n++] = bit(leaf, 6) || r->access == PMMU_WRITE;
  }
  return hit;
}

static void check_item(const quiz_t *q, unsigned n, const ref_walk *w, ref_tlb *tlb) {
  const quiz_item *it = quiz_get_item(q, n);
  uint64_t seed = quiz_get_options(q)->seed;
  bool fault = it->answer.outcome == PMMU_PAGE_FAULT;
  CHECK(it->answer.outcome != PMMU_BUS_ERROR, "seed %" PRIu64 " item %u: bus error", seed, n);
  CHECK(fault == w->fault, "seed %" PRIu64 " item %u: fault %d, reference %d", seed, n, fault,
        w->fault);
  if (fault)
    CHECK(it->answer.error_code == w->ec, "seed %" PRIu64 " item %u: ec 0x%x, reference 0x%x", seed,
          n, it->answer.error_code, w->ec);
  else
    CHECK(it->answer.pa == w->pa,
          "seed %" PRIu64 " item %u: pa 0x%" PRIx64 ", reference 0x%" PRIx64, seed, n,
          it->answer.pa, w->pa);
  CHECK(it->walk.n_steps == w->n, "seed %" PRIu64 " item %u: %u steps, reference %u", seed, n,
        it->walk.n_steps, w->n);
  for (unsigned s = 0; s < w->n && s < it->walk.n_steps; s++) {
    CHECK(it->walk.steps[s].entry_pa == w->addr[s] && it->walk.steps[s].value == w->value[s],
          "seed %" PRIu64 " item %u step %u", seed, n, s);
    CHECK(quiz_table_at(q, w->addr[s]) != NULL, "seed %" PRIu64 " item %u reads outside the tables",
          seed, n);
  }
  if (quiz_item_count(q) <= QUIZ_TLB_WAYS) {
    bool hit = ref_tlb_access(tlb, &it->req, w);
    CHECK(hit == it->tlb_hit, "seed %" PRIu64 " item %u: tlb hit %d, reference %d", seed, n,
          it->tlb_hit, hit);
  }
}

static void walker_mode(quiz_mode mode, bool nx, unsigned seeds) {
  tally t = {0};
  for (uint64_t seed = 1; seed <= seeds; seed++) {
    unsigned items = seed % 2 ? QUIZ_DEFAULT_ITEMS : 12;
    quiz_t *q = make(seed * 0x2545F4914F6CDD1Du, mode, nx, items);
    pmmu_control c;
    quiz_get_control(q, &c);
    ref_tlb tlb = {0};
    unsigned ok = 0;
    for (unsigned n = 1; n <= items; n++) {
      ref_walk w;
      ref_translate(&c, quiz_read_cb, q, &quiz_get_item(q, n)->req, &w);
      check_item(q, n, &w, &tlb);
      classify(quiz_get_item(q, n), &w, mode == QUIZ_MODE_PAE, &t);
      ok += !w.fault;
    }
    CHECK(ok > 0, "seed %" PRIu64 ": no item succeeds", seed);
    quiz_free(q);
  }
  fprintf(stderr,
          "%s%s: %u seeds: ok %u, not present PDPTE %u PDE %u PTE %u, user-sup %u, "
          "user-ro %u, sup-ro %u, nx %u, large %u, tlb hits %u\n",
          quiz_mode_name(mode), nx ? "+nx" : "", seeds, t.ok, t.np_pdpte, t.np_pde, t.np_pte,
          t.user_sup, t.user_ro, t.sup_ro, t.nx, t.large, t.hits);
  CHECK(t.ok && t.np_pde && t.np_pte && t.user_sup && t.user_ro && t.sup_ro && t.hits,
        "a kind of item never comes");
  CHECK((mode == QUIZ_MODE_32) == (t.large == 0), "large pages: %u", t.large);
  CHECK((mode == QUIZ_MODE_PAE) == (t.np_pdpte > 0), "not-present PDPTEs: %u", t.np_pdpte);
  CHECK(nx == (t.nx > 0), "nx faults: %u", t.nx);
}

static void test_walker(void) {
  walker_mode(QUIZ_MODE_32, false, 600);
  walker_mode(QUIZ_MODE_PSE, false, 600);
  walker_mode(QUIZ_MODE_PAE, false, 600);
  walker_mode(QUIZ_MODE_PAE, true, 600);
}

/* ---- Grading ------------------------------------------------------------------------------ */

static quiz_check_status grade(const quiz_t *q, unsigned n, const char *answer, char *out,
                               size_t len) {
  text t;
  char why[256] = "";
  quiz_check_status st = quiz_check(q, n, answer, false, text_open(&t), why, sizeof why);
  text_close(&t);
  snprintf(out, len, "%s%s", t.s, why);
  free(t.s);
  return st;
}

/* The full right answer from the reference walk, in the keys' order. */
static void right_answer(const quiz_t *q, const ref_walk *w, const pmmu_request *r, char *buf,
                         size_t len) {
  bool pae = quiz_is_pae(q);
  size_t used = 0;
  unsigned s = 0;
#define ADD(...) used += (size_t)snprintf(buf + used, len - used, __VA_ARGS__)
  if (pae)
    ADD("pdpt=%u,pdpte_addr=0x%" PRIx64 ",pdpte=0x%" PRIx64 ",", r->la >> 30, w->addr[0],
        w->value[0]),
        s = 1;
  if (w->n > s)
    ADD("dir=%u,pde_addr=0x%" PRIx64 ",pde=0x%" PRIx64 ",",
        pae ? (r->la >> 21) & 0x1FF : r->la >> 22, w->addr[s], w->value[s]);
  if (w->n > s + 1)
    ADD("table=%u,pte_addr=0x%" PRIx64 ",pte=0x%" PRIx64 ",", (r->la >> 12) & (pae ? 0x1FF : 0x3FF),
        w->addr[s + 1], w->value[s + 1]);
  if (w->complete)
    ADD("frame=0x%" PRIx64 ",", w->value[w->n - 1] & (w->shift == 12   ? UINT64_C(0xFFFFFF000)
                                                      : w->shift == 21 ? UINT64_C(0xFFFE00000)
                                                                       : UINT64_C(0xFFC00000)));
  if (w->fault) ADD("fault=0x%x", w->ec);
  else ADD("fault=none,pa=0x%" PRIx64, w->pa);
#undef ADD
}

static void test_grader(void) {
  char out[2048], ans[512];
  for (uint64_t seed = 1; seed <= 300; seed++) {
    quiz_mode mode = (quiz_mode)(seed % 3);
    quiz_t *q = make(seed, mode, mode == QUIZ_MODE_PAE && seed % 2, 6);
    pmmu_control c;
    quiz_get_control(q, &c);
    for (unsigned n = 1; n <= 6; n++) {
      ref_walk w;
      const pmmu_request *r = &quiz_get_item(q, n)->req;
      ref_translate(&c, quiz_read_cb, q, r, &w);
      right_answer(q, &w, r, ans, sizeof ans);
      quiz_check_status st = grade(q, n, ans, out, sizeof out);
      CHECK(st == QUIZ_CHECK_RIGHT && strstr(out, "wrong") == NULL,
            "seed %" PRIu64 " item %u: right answer '%s' graded:\n%s", seed, n, ans, out);
      /* One step off by one: wrong at that step, never showing its right value. */
      char *pde = strstr(ans, ",pde=0x");
      if (pde && w.n >= 2) {
        uint64_t v = w.value[quiz_is_pae(q) ? 1 : 0];
        char bad[600], right_hex[32];
        snprintf(bad, sizeof bad, "pde=0x%" PRIx64 ",pa=0x1", v ^ 0x1000);
        snprintf(right_hex, sizeof right_hex, "%" PRIx64, v);
        st = grade(q, n, bad, out, sizeof out);
        CHECK(st == QUIZ_CHECK_WRONG && strstr(out, "pde        wrong: ") &&
                  strstr(out, "1 later step not graded"),
              "seed %" PRIu64 ": %s", seed, out);
        CHECK(v == 0 || strstr(out, right_hex) == NULL, "the wrong step's value is shown: %s", out);
      }
    }
    quiz_free(q);
  }
}

static quiz_t *find_quiz(quiz_mode mode, bool (*want)(const quiz_t *, unsigned *), unsigned *item) {
  for (uint64_t seed = 1;; seed++) {
    quiz_t *q = make(seed, mode, false, 8);
    if (want(q, item)) return q;
    quiz_free(q);
  }
}

static bool has_np_pde(const quiz_t *q, unsigned *item) {
  for (unsigned n = 1; n <= quiz_item_count(q); n++) {
    const quiz_item *it = quiz_get_item(q, n);
    if (it->walk.n_steps == 1 && it->answer.outcome == PMMU_PAGE_FAULT) return *item = n, true;
  }
  return false;
}

static bool has_success(const quiz_t *q, unsigned *item) {
  for (unsigned n = 1; n <= quiz_item_count(q); n++)
    if (quiz_get_item(q, n)->answer.outcome == PMMU_OK && quiz_get_item(q, n)->walk.n_steps == 2)
      return *item = n, true;
  return false;
}

static void test_grader_cases(void) {
  char out[2048];
  unsigned n;
  quiz_t *q = find_quiz(QUIZ_MODE_32, has_np_pde, &n);
  const quiz_item *it = quiz_get_item(q, n);
  CHECK(grade(q, n, "pte=0", out, sizeof out) == QUIZ_CHECK_WRONG &&
            strstr(out, "the walk ends at the PDE"),
        "%s", out);
  CHECK(grade(q, n, "pa=0x1000", out, sizeof out) == QUIZ_CHECK_WRONG && strstr(out, "faults"),
        "%s", out);
  CHECK(grade(q, n, "fault=none", out, sizeof out) == QUIZ_CHECK_WRONG, "%s", out);
  char ans[64];
  snprintf(ans, sizeof ans, " fault = 0x%x ", it->answer.error_code);
  CHECK(grade(q, n, ans, out, sizeof out) == QUIZ_CHECK_RIGHT && strstr(out, "fault      ok"), "%s",
        out);
  snprintf(ans, sizeof ans, "fault=%u", it->answer.error_code ^ 2u);
  CHECK(grade(q, n, ans, out, sizeof out) == QUIZ_CHECK_WRONG && strstr(out, "bit 1 (W/R)"), "%s",
        out);
  quiz_free(q);

  q = find_quiz(QUIZ_MODE_32, has_success, &n);
  it = quiz_get_item(q, n);
  snprintf(ans, sizeof ans, "pa=0x%" PRIx64 ",fault=none,frame=0x%" PRIx64, it->answer.pa,
           it->answer.pa >> 12);
  CHECK(grade(q, n, ans, out, sizeof out) == QUIZ_CHECK_RIGHT && strstr(out, "all 3 steps right"),
        "%s", out);
  /* Graded in walk order, whatever the order given: the frame is wrong, pa is not graded. */
  snprintf(ans, sizeof ans, "pa=0x%" PRIx64 ",frame=0x1", it->answer.pa);
  CHECK(grade(q, n, ans, out, sizeof out) == QUIZ_CHECK_WRONG && strstr(out, "frame      wrong") &&
            !strstr(out, "pa         ok"),
        "%s", out);
  static const struct {
    const char *answer, *why;
  } bad[] = {{"", "empty"},
             {"   ", "empty"},
             {"pde=1,,pa=2", "pair 2 is empty"},
             {"pde=1,", "pair 2 is empty"},
             {"pde", "'pde' is not KEY=VALUE"},
             {"pde=1,pde=2", "duplicate key 'pde'"},
             {"bogus=1", "unknown key 'bogus'"},
             {"pdpte=1", "'pdpte' is a PAE key"},
             {"pa=12x", "bad number '12x' for 'pa'"},
             {"pa=-1", "bad number '-1'"},
             {"pa=", "bad number '' for 'pa'"},
             {"fault=nothing", "bad number 'nothing' for 'fault'"},
             {"pa=0x1ffffffffffffffff", "bad number"}};
  for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    text t;
    char why[256] = "";
    quiz_check_status st = quiz_check(q, n, bad[i].answer, false, text_open(&t), why, sizeof why);
    text_close(&t);
    CHECK(st == QUIZ_CHECK_MALFORMED && strstr(why, bad[i].why) && t.len == 0, "'%s': %d '%s'",
          bad[i].answer, st, why);
    free(t.s);
  }
  text t;
  snprintf(ans, sizeof ans, "pa=0x%" PRIx64 ",frame=0x1", it->answer.pa);
  char why[256];
  quiz_check(q, n, ans, true, text_open(&t), why, sizeof why);
  text_close(&t);
  char want[64];
  snprintf(want, sizeof want, "{\"item\":%u,\"steps\":[{\"key\":\"frame\",\"ok\":false,\"why\":\"",
           n);
  CHECK(strncmp(t.s, want, strlen(want)) == 0 &&
            strstr(t.s, "\"not_graded\":1,\"correct\":false}\n"),
        "%s", t.s);
  free(t.s);
  quiz_free(q);
}

/* ---- Escaping ------------------------------------------------------------------------------ */

static void expect_text(void (*fn)(const char *, FILE *), const char *in, const char *want) {
  text t;
  fn(in, text_open(&t));
  text_close(&t);
  CHECK(strcmp(t.s, want) == 0, "'%s' -> '%s', want '%s'", in, t.s, want);
  free(t.s);
}

static void test_escaping(void) {
  expect_text(quiz_csv_field, "0x1234", "0x1234");
  expect_text(quiz_csv_field, "", "");
  expect_text(quiz_csv_field, "a,b", "\"a,b\"");
  expect_text(quiz_csv_field, "say \"hi\"", "\"say \"\"hi\"\"\"");
  expect_text(quiz_csv_field, "two\nlines", "\"two\nlines\"");
  expect_text(quiz_csv_field, "cr\r", "\"cr\r\"");
  expect_text(quiz_gift_escape, "CR3 = 0x1000", "CR3 \\= 0x1000");
  expect_text(quiz_gift_escape, "~=#{}:\\", "\\~\\=\\#\\{\\}\\:\\\\");
  expect_text(quiz_gift_escape, "plain text.", "plain text.");
  /* A GIFT export: every special character of the world is escaped, blank lines only
   * between questions (one per item). */
  quiz_t *q = make(5, QUIZ_MODE_PSE, false, 4);
  text t;
  quiz_export(q, QUIZ_FORMAT_GIFT, false, text_open(&t));
  text_close(&t);
  unsigned blank = 0, questions = 0;
  for (char *p = t.s; (p = strstr(p, "\n\n")); p++) blank++;
  for (char *p = t.s; (p = strstr(p, "::seed 0x5 item ")); p++) questions++;
  CHECK(questions == 4 && blank == 5, "questions %u, blank lines %u", questions, blank);
  CHECK(strstr(t.s, "CR3  \\= 0x") && strstr(t.s, "0x") && !strstr(t.s, "CR3  = "),
        "unescaped '='");
  for (char *p = strstr(t.s, "<pre>"); p && *p; p++) {
    if (*p == '{') break; /* the answer */
    CHECK(!(strchr("=:#~", *p) && p[-1] != '\\'), "unescaped '%c' at %.20s", *p, p - 10);
  }
  free(t.s);
  /* A CSV export: a header and one record per item, each of the same number of fields. */
  quiz_export(q, QUIZ_FORMAT_CSV, false, text_open(&t));
  text_close(&t);
  unsigned lines = 0, commas = 0, first = 0;
  for (char *p = t.s; *p; p++) {
    if (*p == ',') commas++;
    if (*p == '\n') {
      CHECK(p > t.s && p[-1] == '\r', "a line does not end in CRLF");
      if (lines++ == 0) first = commas;
      CHECK(commas == first * lines, "line %u has another field count", lines);
    }
  }
  CHECK(lines == 5 && strncmp(t.s, "item,va,access,priv,dir,table,", 30) == 0, "%s", t.s);
  free(t.s);
  quiz_free(q);
}

/* ---- Golden files: each one's key checked against its own world ---------------------------- */

#define GOLDEN_MAX_WORDS 4096

typedef struct golden_mem {
  unsigned n;
  uint64_t pa[GOLDEN_MAX_WORDS], value[GOLDEN_MAX_WORDS];
  unsigned size;
} golden_mem;

static uint64_t golden_read(const void *ctx, uint64_t pa, unsigned size) {
  const golden_mem *m = ctx;
  for (unsigned i = 0; i < m->n; i++)
    if (m->pa[i] == pa && m->size == size) return m->value[i];
  return 0;
}

/* "0xADDR: w w w ..." into memory. */
static void golden_dump_line(golden_mem *m, const char *line) {
  char *end;
  uint64_t pa = strtoull(line, &end, 16);
  const char *p = end + 1;
  for (;;) {
    while (*p == ' ') p++;
    if (*p == '\n' || !*p) return;
    const char *start = p;
    uint64_t v = strtoull(p, &end, 16);
    m->size = (unsigned)(end - start) / 2;
    if (m->n < GOLDEN_MAX_WORDS) m->pa[m->n] = pa, m->value[m->n++] = v;
    pa += m->size;
    p = end;
  }
}

static pmmu_access access_of(const char *w) {
  return strcmp(w, "write") == 0 ? PMMU_WRITE : strcmp(w, "fetch") == 0 ? PMMU_FETCH : PMMU_READ;
}

static void golden_file(const char *path) {
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "cannot open %s", path);
  if (!f) return;
  static golden_mem m;
  memset(&m, 0, sizeof m);
  pmmu_control c = {0};
  char line[512], word[2][16];
  ref_walk w = {0};
  unsigned items = 0, answers = 0, steps = 0, step = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned n;
    uint32_t v32;
    uint64_t a, v;
    if (sscanf(line, "CR0 = 0x%" SCNx32, &v32) == 1) c.cr0 = v32;
    if (sscanf(line, "CR0  = 0x%" SCNx32, &v32) == 1) c.cr0 = v32;
    if (sscanf(line, "CR4  = 0x%" SCNx32, &v32) == 1) c.cr4 = v32;
    if (sscanf(line, "CR3  = 0x%" SCNx32, &v32) == 1) c.cr3 = v32;
    if (sscanf(line, "EFER = 0x%" SCNx64, &v) == 1) c.efer = v;
    if (strncmp(line, "0x", 2) == 0 && strchr(line, ':')) golden_dump_line(&m, line);
    if (sscanf(line, "%u. %15s %15s 0x%" SCNx32, &n, word[0], word[1], &v32) == 4) {
      pmmu_request r = {.la = v32,
                        .access = access_of(word[0]),
                        .priv = strcmp(word[1], "user") == 0 ? PMMU_USER : PMMU_SUPERVISOR};
      ref_translate(&c, golden_read, &m, &r, &w);
      items++, step = 0;
    }
    const char *at = strstr(line, " = 0x");
    if (strstr(line, " at 0x") && at && sscanf(at, " = 0x%" SCNx64 ": 0x%" SCNx64, &a, &v) == 2) {
      CHECK(step < w.n && w.addr[step] == a && w.value[step] == v,
            "%s item %u step %u: 0x%" PRIx64 ": 0x%" PRIx64, path, items, step, a, v);
      step++, steps++;
    }
    const char *pa = strstr(line, "allowed: physical address = ");
    if (pa && (pa = strrchr(line, '=')) && sscanf(pa, "= 0x%" SCNx64, &v) == 1) {
      CHECK(!w.fault && w.pa == v, "%s item %u: pa 0x%" PRIx64 ", reference 0x%" PRIx64, path,
            items, v, w.pa);
      answers++;
    }
    if (sscanf(line, "   error code 0x%" SCNx32, &v32) == 1) {
      CHECK(w.fault && w.ec == v32, "%s item %u: ec 0x%x, reference 0x%x", path, items, v32, w.ec);
      answers++;
    }
  }
  fclose(f);
  CHECK(items > 0 && answers == items && steps >= items, "%s: %u items, %u answers, %u steps", path,
        items, answers, steps);
  fprintf(stderr, "%s: %u items, %u steps and %u answers agree with the reference walker\n", path,
          items, steps, answers);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(
        stderr,
        "usage: pmmu_quiz_tests prng|determinism|walker|grader|grader_cases|escaping|golden FILE...\n");
    return 2;
  }
  const char *name = argv[1];
  if (strcmp(name, "prng") == 0) test_prng();
  else if (strcmp(name, "determinism") == 0) test_determinism();
  else if (strcmp(name, "walker") == 0) test_walker();
  else if (strcmp(name, "grader") == 0) test_grader();
  else if (strcmp(name, "grader_cases") == 0) test_grader_cases();
  else if (strcmp(name, "escaping") == 0) test_escaping();
  else if (strcmp(name, "golden") == 0) {
    CHECK(argc > 2, "no golden file given");
    for (int i = 2; i < argc; i++) golden_file(argv[i]);
  } else {
    fprintf(stderr, "unknown test '%s'\n", name);
    return 2;
  }
  if (failures) fprintf(stderr, "%s: %u check(s) failed\n", name, failures);
  return failures ? 1 : 0;
}
