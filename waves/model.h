/* The model group of a dump (model.c, docs/waves.md "The model group"): the model's
 * expected response and walk memory accesses, recorded per request in a lockstep run and
 * written into the RTL's FST beside its ports. */
#ifndef PMMU_WAVES_MODEL_H
#define PMMU_WAVES_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "pmmu/pmmu.h"

enum model_sig {
  M_ACCEPT,     /* the model accepts the request in this cycle (req_valid_i & req_ready_o) */
  M_RESP_VALID, /* resp_valid_o */
  M_RESP_TLB,   /* resp_tlb_o: TLB_OFF, TLB_HIT, TLB_MISS */
  M_RESP_PA,    /* resp_pa_o (0 unless the outcome is ok) */
  /* (every field is x outside the cycles its valid bit is high in: model.c) */
  M_RESP_FAULT,       /* resp_fault_o */
  M_RESP_EC,          /* resp_ec_o (0 unless a #PF) */
  M_RESP_BUS_ERR,     /* resp_bus_err_o */
  M_MEM_REQ_VALID,    /* mem_req_valid_o: from the presentation to the acceptance */
  M_MEM_REQ_OP,       /* mem_req_op_o: MEM_READ, MEM_CAS */
  M_MEM_REQ_SIZE,     /* mem_req_size_o: MEM_SIZE4, MEM_SIZE8 */
  M_MEM_REQ_PA,       /* mem_req_pa_o */
  M_MEM_REQ_EXPECTED, /* mem_req_expected_o (a CAS's) */
  M_MEM_REQ_NEW,      /* mem_req_new_o (a CAS's) */
  M_MEM_RESP_VALID,   /* mem_resp_valid_i */
  M_MEM_RESP_DATA,    /* mem_resp_data_i: the value read; for a CAS the value memory held */
  M_MEM_RESP_ERR,     /* mem_resp_err_i */
  MODEL_NSIGS
};

const char *model_sig_name(enum model_sig s);
unsigned model_sig_width(enum model_sig s);

/* Records from now on, for a dump of dump times t_from..t_to; drops what was recorded. */
void model_rec_start(uint64_t t_from, uint64_t t_to);
void model_rec_stop(void);
/* A request the model answered (engine_model_tap's shape; ctx unused). */
void model_rec_request(void *ctx, const pmmu_request *req, const pmmu_response *r,
                       const pmmu_mem_txn *t, unsigned n);
/* Whether a request was recorded; whether some changes were dropped (too many). */
bool model_rec_any(void);
bool model_rec_full(void);

/* Writes `in` (a complete FST) with the model's scope added to `out`. 0, or -1. */
int model_merge(const char *in, const char *out);

#endif
