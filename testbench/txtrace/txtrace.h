/*
 * Transaction traces (docs/spec/transaction-trace.md): what a PMMU did, port by port, as JSON
 * Lines that any simulator can write, and that `pmmu check-trace` replays on the C model.
 *
 * - txtrace_write.c: the writer. The engines write through it (--dump-trace): the RTL engine
 *   from the RTL's ports (engine_rtl.c), the model engine from the model's results (engine.c).
 *   The file appears only when it is complete: it is written as FILE.tmp-XXXXXX beside FILE
 *   and renamed at txtrace_close.
 * - txtrace_read.c: the reader. The whole file is parsed and checked (JSON, version, fields,
 *   cycle order, the end event) before anything is replayed.
 * - txtrace_check.c: the replay on the model, with the lockstep's comparisons and table.
 */
#ifndef PMMU_TXTRACE_H
#define PMMU_TXTRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pmem.h"
#include "pmmu/pmmu.h"
#include "tb_file.h"
#include "tb_status.h"

#define TXTRACE_FORMAT "pmmu-trace"
#define TXTRACE_VERSION 1

typedef enum txtrace_kind {
  TXE_MEM,    /* the testbench wrote memory: pa, size, value */
  TXE_REG,    /* a control-register write: reg, value */
  TXE_INVLPG, /* la */
  TXE_FLUSH,  /* a flush command of the port: flush_kind, la */
  TXE_REQ,    /* a translation request, in its accept cycle: presented, la, access, priv, ac */
  TXE_WALK,   /* a walker memory transaction, in its response cycle: txn */
  TXE_RESP,   /* a translation response: outcome, pa, attr, ec, tlb */
  TXE_PDPTE,  /* the end of a PDPTE load (timing.md T11): gp */
  TXE_IRQ,    /* the interrupt outputs changed: line, cr2, ec */
  TXE_ACK,    /* the handler acknowledged the interrupt */
  TXE_END     /* the last cycle the trace covers */
} txtrace_kind;

/* "mem", "reg", ... as the "ev" field spells them. */
const char *txtrace_kind_name(txtrace_kind k);

typedef struct txtrace_event {
  txtrace_kind kind;
  uint32_t line;  /* reader: the line of the file */
  uint64_t cycle; /* the cycle the event happened in (docs/spec/transaction-trace.md) */
  union {
    struct { /* TXE_MEM */
      uint64_t pa, value;
      unsigned size;
    } mem;
    struct {        /* TXE_REG */
      unsigned reg; /* engine_reg: 0 cr0, 1 cr3, 2 cr4, 3 efer */
      uint64_t value;
    } reg;
    struct { /* TXE_INVLPG, TXE_FLUSH */
      pmmu_flush_kind kind;
      uint32_t la;
    } flush;
    struct { /* TXE_REQ */
      uint64_t presented;
      uint32_t la;
      pmmu_access access;
      pmmu_priv priv;
      bool ac;
    } req;
    pmmu_mem_txn walk; /* TXE_WALK: response_cycle == cycle */
    struct {           /* TXE_RESP */
      pmmu_outcome outcome;
      uint64_t pa;
      unsigned attr;
      uint32_t ec;
      pmmu_tlb_use tlb;
    } resp;
    bool gp;                  /* TXE_PDPTE */
    pmmu_interrupt_state irq; /* TXE_IRQ: pending is the line */
  } u;
} txtrace_event;

/* The header's "config": what the model is made from. */
typedef struct txtrace_config {
  unsigned tlb_sets, tlb_ways, tlb_large;
  pmmu_policy policy;
  uint16_t lfsr_seed;
  pmem_timing timing; /* informative: each walk event carries its own cycles */
} txtrace_config;

/* ---- Writing -------------------------------------------------------------------------- */

typedef struct txtrace_writer txtrace_writer;

/* Creates PATH.tmp-XXXXXX and writes the header; `engine` ("rtl", "model") and `command`
 * (may be NULL) go to its "producer". NULL with *err (TB_E_IO, TB_E_NOMEM) on failure. */
txtrace_writer *txtrace_open(const char *path, const txtrace_config *cfg, const char *engine,
                             const char *command, tb_error *err);
/* Appends one event (TXE_END is written by txtrace_close). Events must come in cycle order:
 * one that goes back, or a failed write, makes the writer fail; the first failure is kept and
 * reported by txtrace_close, and later events are dropped. */
void txtrace_write(txtrace_writer *w, const txtrace_event *ev);
/* The cycle of the last event written (0 before any). */
uint64_t txtrace_last_cycle(const txtrace_writer *w);
/* Writes the end event (in `end_cycle`, or the last event's cycle when that is later),
 * closes and renames the file to PATH: TB_OK, or TB_E_IO with *err and no file left. Frees w. */
int txtrace_close(txtrace_writer *w, uint64_t end_cycle, tb_error *err);
/* Removes the temporary file and frees w (a run that could not be completed). */
void txtrace_abort(txtrace_writer *w);

/* ---- Reading -------------------------------------------------------------------------- */

typedef struct txtrace {
  txtrace_config config;
  char command[512]; /* the header's producer.command ("" when absent) */
  txtrace_event *ev;
  size_t n;
} txtrace;

/* Reads and checks the whole of PATH. Errors go to `diag` as "PATH:LINE: error: WHAT" (at most
 * TXTRACE_MAX_ERRORS of them, then one line saying the reader gave up). TB_OK, or TB_E_INPUT
 * (malformed), TB_E_IO (unreadable), TB_E_NOMEM; *err holds a summary. */
#define TXTRACE_MAX_ERRORS TB_MAX_ERRORS
/* PATH "-" is standard input; a NUL byte is an error of its line. */
int txtrace_load(const char *path, txtrace *out, FILE *diag, tb_error *err);
/* The same on an open stream (a fuzzer's fmemopen buffer); `path` names it in messages. */
int txtrace_read(FILE *f, const char *path, txtrace *out, FILE *diag, tb_error *err);
void txtrace_free(txtrace *t);

/* ---- Checking ------------------------------------------------------------------------- */

typedef struct txtrace_counts {
  uint64_t requests, responses, walks; /* compared and equal */
  uint64_t pdpte_loads, interrupts;    /* PDPTE loads and interrupt checks (R + 1, ack + 1) */
} txtrace_counts;

/* Replays the trace on the model and compares, as the lockstep does. TB_OK; TB_MISMATCH with
 * the first divergence printed on `out` as the lockstep's table (engine_report_mismatches),
 * `path`'s line and a reproduce hint; or an error (TB_E_CONFIG: the header's configuration,
 * TB_E_INPUT: an operation the model refuses, both with *err). */
int txtrace_check(const txtrace *t, const char *path, FILE *out, txtrace_counts *counts,
                  tb_error *err);

/* ---- Streaming (pmmu check-trace) --------------------------------------------------------- */

/* The events of a checked file, read again one at a time (no array: memory stays constant
 * whatever the trace's length). `walks_only`: only its "walk" events (the memory's timing the
 * replay needs ahead of the events that use it). A regular file only, not "-". */
typedef struct txtrace_cursor txtrace_cursor;
txtrace_cursor *txtrace_cursor_open(const char *path, bool walks_only, tb_error *err);
/* The next event; false at the end (or when the file no longer reads as it did). */
bool txtrace_cursor_next(txtrace_cursor *c, txtrace_event *ev);
void txtrace_cursor_close(txtrace_cursor *c);

/* txtrace_check on events streamed from two cursors of the same file; `t` gives the header
 * (its ev is not used). */
int txtrace_check_stream(const txtrace *t, txtrace_cursor *events, txtrace_cursor *walks,
                         const char *path, FILE *out, txtrace_counts *counts, tb_error *err);

/* `pmmu check-trace PATH`: the whole file checked first (errors on diag, as txtrace_load),
 * then replayed as it is read again, never held whole; "-" (standard input, which cannot be
 * read twice) is held whole. Returns as txtrace_load, then as txtrace_check; every error is
 * printed on diag but TB_E_IO and TB_E_NOMEM, whose sentence is in *err for the caller. */
int txtrace_check_file(const char *path, FILE *out, FILE *diag, txtrace_counts *counts,
                       tb_error *err);

#endif
