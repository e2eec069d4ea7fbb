/*
 * The testbench's one status convention (engine, scenario runner, cosim, sim, the CLI;
 * docs/verification.md, "Lockstep: differences as data").
 *
 * A function that can fail returns an int status:
 *   0 (TB_OK)  it did what was asked and found nothing wrong;
 *   > 0        it did what was asked and what it ran found something: an expectation failed,
 *              the engines disagreed (TB_MISMATCH: the records are in engine_mismatches), the
 *              RTL never answered (TB_HANG);
 *   < 0        it could not do it (TB_E_*; libpmmu's PMMU_E_* codes are the first of them,
 *              with the same values, so that a model error passes through unchanged).
 * With a negative status it fills the caller's tb_error (when it takes one) with the code and
 * one sentence, and prints nothing: the caller decides where the sentence goes. A handle that
 * fails (engine_t) keeps its last error instead: engine_error().
 * The command line maps a status to its exit status with tb_exit_status().
 */
#ifndef PMMU_TB_STATUS_H
#define PMMU_TB_STATUS_H

#include "pmmu/pmmu.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tb_status {
  TB_OK = 0,
  /* verdicts */
  TB_EXPECT = 1,   /* an expectation of a scenario (or the OS's own check) failed */
  TB_MISMATCH = 2, /* lockstep: the model and the RTL differed */
  TB_HANG = 3,     /* the RTL gave no response (a lockstep hang record says which request) */
  /* errors: libpmmu's, then the testbench's */
  TB_E_INVALID = PMMU_E_INVALID, /* an argument out of range; an operation the engine refuses */
  TB_E_CONFIG = PMMU_E_CONFIG,   /* a configuration the model does not accept */
  TB_E_ORDER = PMMU_E_ORDER,     /* a cycle went backwards, or the port was taken */
  TB_E_NOMEM = PMMU_E_NOMEM,
  TB_E_USAGE = -16,       /* a bad command line */
  TB_E_INPUT = -17,       /* a bad input file (scenario, trace) */
  TB_E_UNAVAILABLE = -18, /* not built into this pmmu: the RTL, an RTL variant, tracing */
  TB_E_IO = -19           /* a file could not be read or written */
} tb_status;

#define TB_ERROR_MSG 256

typedef struct tb_error {
  int code; /* a tb_status */
  char msg[TB_ERROR_MSG];
} tb_error;

/* Fills *err (when err is not NULL) with code and the formatted sentence; returns code. */
int tb_fail(tb_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* "ok", "lockstep mismatch", ..., or pmmu_strerror() for a pmmu_error ("cycle out of
 * order: ..."). */
const char *tb_status_name(int code);

/* The exit status of `pmmu` for a status: 0 ok; 1 an expectation failed; 2 bad usage or
 * input (every error); 3 the engines disagreed or the RTL hung. */
int tb_exit_status(int code);

#ifdef __cplusplus
}
#endif

#endif
