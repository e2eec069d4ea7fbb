/*
 * pmmu_dpi: the pmmu reference model behind standard SystemVerilog DPI-C (IEEE 1800-2017
 * chapter 35). The SystemVerilog side is model/dpi/pmmu_dpi_pkg.sv, which imports exactly
 * these functions; docs/dpi.md explains the design and how to use it.
 *
 * Types are the DPI's simple ones: int (int), longint (long long), bit (svBit), string
 * (const char *), chandle (void *). Nothing here is simulator-specific: the glue includes only
 * the standard svdpi.h that every simulator ships.
 *
 * Encodings are those of the block's ports (rtl/pmmu_pkg.sv, docs/spec/hardware-interface.md):
 *   acc      0 read, 1 write, 2 fetch            priv   0 user, 1 supervisor, 2 implicit
 *   tlb      0 off, 1 hit, 2 miss                flush  0 non-global, 1 all, 2 page, 3 load PDPTEs
 *   mem op   0 read, 1 compare-and-swap          outcome 0 translated, 1 #PF, 2 bus error
 *   reg      0 CR0, 1 CR3, 2 CR4, 3 EFER
 *   control  the control inputs packed in an int: bit 0 CR0.PG, 1 CR0.WP, 2 CR4.PSE,
 *            3 CR4.PAE, 4 CR4.PGE, 5 CR4.SMEP, 6 CR4.SMAP, 7 EFER.NXE (PMMU_DPI_CTL_*)
 *
 * Memory: the glue keeps the model's own sparse image of physical memory (zero where never
 * written). The testbench writes it (pmmu_dpi_mem_write) whenever it writes page tables in
 * its memory; the model makes its own A/D compare-and-swaps on it, which the scoreboard
 * compares with the DUT's. The walker memory transactions the DUT made for a step are handed
 * over before the step (pmmu_dpi_observe_txn): the model takes each access's back-pressure,
 * latency and bus error from the DUT's access of the same rank, so that it predicts the
 * same cycles under any memory timing. Without observations an access is accepted at once
 * and answered after the configured latency.
 *
 * Functions returning int return 0, or a negative pmmu_error (model/include/pmmu/pmmu.h) for
 * misuse (bad arguments, cycles going backwards). Strings returned are owned by the handle
 * and valid until the next call on it.
 */
#ifndef PMMU_DPI_H
#define PMMU_DPI_H

#include "svdpi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PMMU_DPI_CTL_PG 0x01
#define PMMU_DPI_CTL_WP 0x02
#define PMMU_DPI_CTL_PSE 0x04
#define PMMU_DPI_CTL_PAE 0x08
#define PMMU_DPI_CTL_PGE 0x10
#define PMMU_DPI_CTL_SMEP 0x20
#define PMMU_DPI_CTL_SMAP 0x40
#define PMMU_DPI_CTL_NXE 0x80

/* ---- Life cycle ---- */

/* A model with this TLB geometry and policy (0 plru, 1 lru, 2 fifo, 3 random), the random
 * policy's LFSR seed and the latency of unobserved accesses; in its reset state. NULL when
 * it cannot be made: pmmu_dpi_create_error() says why. */
void *pmmu_dpi_create(int sets, int ways, int large, int policy, int lfsr_seed, int mem_latency);
const char *pmmu_dpi_create_error(void);
void pmmu_dpi_destroy(void *h);
/* The block's reset (TLB, control registers, interrupt, cycles); the memory image is kept. */
void pmmu_dpi_reset(void *h);

/* ---- The memory image ---- */

/* size 4 or 8, pa aligned to it and below 2^36. */
int pmmu_dpi_mem_write(void *h, long long pa, int size, long long value);
long long pmmu_dpi_mem_read(void *h, long long pa, int size);

/* One walker memory transaction the DUT made, for the next step (translate, register write,
 * load_done); data: what memory answered (for a CAS, the value it held before). */
void pmmu_dpi_observe_txn(void *h, int op, long long pa, int size, long long expected,
                          long long desired, long long data, svBit err, long long present,
                          long long accept, long long response);

/* ---- Control ---- */

/* MOV to CR0/CR3/CR4, WRMSR to EFER in `cycle`, with every side effect (flushes, PDPTE loads).
 * Its result: pmmu_dpi_reg_result. */
int pmmu_dpi_write_reg(void *h, int reg, long long value, long long cycle);
void pmmu_dpi_reg_result(void *h, svBit *gp, svBit *loaded, long long *done_cycle);
int pmmu_dpi_invlpg(void *h, int la, long long cycle);
int pmmu_dpi_flush(void *h, int kind, int la, long long cycle); /* kind 0..2 */
void pmmu_dpi_ack(void *h);
void pmmu_dpi_interrupt(void *h, svBit *pending, int *cr2, int *ec);

/* ---- Translation ---- */

/* The request presented in `cycle` (accepted when the block is ready: docs/timing.md T1). */
int pmmu_dpi_translate(void *h, int la, int acc, int priv, svBit ac, long long cycle);
void pmmu_dpi_expected(void *h, int *outcome, long long *pa, int *attr, int *ec, int *tlb,
                       long long *accept_cycle, long long *response_cycle);
/* The outcome alone (0 translated, 1 #PF, 2 bus error). */
int pmmu_dpi_expected_outcome(void *h);
/* The walker memory transactions of the last step, in order. */
int pmmu_dpi_expected_txns(void *h);
void pmmu_dpi_expected_txn(void *h, int index, int *op, long long *pa, int *size,
                           long long *expected, long long *desired, long long *data, svBit *err,
                           long long *present, long long *accept, long long *response);

/* ---- Comparison ----
 * Each returns "" when the DUT agrees with the model's last step, else one line per field
 * that differs ("  field  model  dut"), in the form of the C lockstep's table
 * (testbench/engine/engine_report.c); pmmu_dpi_report() adds the header line. */
const char *pmmu_dpi_compare_response(void *h, int outcome, long long pa, int attr, int ec, int tlb,
                                      long long accept_cycle, long long response_cycle);
const char *pmmu_dpi_compare_load(void *h, svBit gp, long long done_cycle);
const char *pmmu_dpi_compare_interrupt(void *h, svBit line, int cr2, int ec);
/* The last comparison that differed as a table: "lockstep mismatch at request N (...):", the
 * column line, its rows. */
const char *pmmu_dpi_report(void *h, long long request);

/* ---- Following the block's control inputs (what pmmu_scoreboard.sv uses) ----
 * The control inputs and the flush port as seen in `cycle`. A change of the inputs is the
 * register write that makes it (EFER, CR4, CR3, CR0 in that order when several change); the
 * invalidation it implies, when the DUT gets it on its flush port in the same cycle, is that
 * write's own and not a second flush; another flush command is applied as given. Returns 1
 * when a PDPTE load command starts (then pmmu_dpi_load_done() in its done cycle, after the
 * load's memory transactions were observed), else 0 or a negative pmmu_error. */
int pmmu_dpi_control(void *h, int control, int cr3, svBit flush_valid, int flush_kind, int flush_la,
                     long long cycle);
/* The PDPTE load the DUT finished in `done_cycle`: the model makes the write now (with the
 * observed accesses) and compares (#GP, done cycle, the four reads). */
const char *pmmu_dpi_load_done(void *h, svBit gp, long long done_cycle);

#ifdef __cplusplus
}
#endif

#endif
