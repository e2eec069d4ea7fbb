/*
 * rtl_pkg_check: the encodings of rtl/pmmu_pkg.sv, as generated into pmmu_rtl_pkg.h, against
 * what the C side takes for granted. Every check is a static assertion: if this file builds,
 * the test passes (ctest rtl_pkg_check runs it only to report so).
 *
 * Must agree (values cross the boundary unmapped):
 *   - #PF error-code bits: engine_rtl.c hands resp_ec / pf_ec to the checker as the
 *     architectural error code (x86-paging.md section 6);
 *   - paging-entry bit positions and MAXPHYADDR: both engines walk the same memory;
 *   - POLICY: the shim's pmmu_rtl_policy_t is the RTL's POLICY parameter, and the model's
 *     pmmu_policy has the same order (names and --policy parsing are shared).
 * Agree today, mapped explicitly by engine_rtl.c: access kind, TLB result, flush kinds,
 * memory operation. They are checked too so that a change on either side is a deliberate
 * one, made with its mapping. Privilege is the one field whose orders differ (model:
 * PMMU_SUPERVISOR = 0; RTL: PRIV_USER = 0); engine_rtl.c maps it.
 * Field widths: every encoding fits its port (the shim masks inputs with the type widths)
 * and the uint8_t field of pmmu_rtl_in_t / pmmu_rtl_out_t that carries it.
 */
#include <stdio.h>

#include "pmmu/pmmu.h"
#include "pmmu_rtl.h"

#define FITS(value, type_bits) ((value) < (1u << (type_bits)) && (type_bits) <= 8u)

/* must agree */
_Static_assert(PMMU_RTL_EC_P == PMMU_EC_P && PMMU_RTL_EC_WR == PMMU_EC_WR &&
                   PMMU_RTL_EC_US == PMMU_EC_US && PMMU_RTL_EC_RSVD == PMMU_EC_RSVD &&
                   PMMU_RTL_EC_ID == PMMU_EC_ID,
               "#PF error-code bits differ between pmmu_pkg.sv and the model");
_Static_assert(PMMU_RTL_PKG_ECW == 5, "pmmu_rtl_out_t.resp_ec holds a 5-bit error code");
_Static_assert(PMMU_RTL_PKG_PAW == PMMU_MAXPHYADDR, "MAXPHYADDR differs");
_Static_assert((UINT64_C(1) << PMMU_RTL_PKG_E_P) == PMMU_PTE_P &&
                   (UINT64_C(1) << PMMU_RTL_PKG_E_RW) == PMMU_PTE_RW &&
                   (UINT64_C(1) << PMMU_RTL_PKG_E_US) == PMMU_PTE_US &&
                   (UINT64_C(1) << PMMU_RTL_PKG_E_PWT) == PMMU_PTE_PWT &&
                   (UINT64_C(1) << PMMU_RTL_PKG_E_PCD) == PMMU_PTE_PCD &&
                   (UINT64_C(1) << PMMU_RTL_PKG_E_A) == PMMU_PTE_A &&
                   (UINT64_C(1) << PMMU_RTL_PKG_E_D) == PMMU_PTE_D &&
                   (UINT64_C(1) << PMMU_RTL_PKG_E_PS) == PMMU_PTE_PS &&
                   (UINT64_C(1) << PMMU_RTL_PKG_E_PAT) == PMMU_PTE_PAT4K &&
                   (UINT64_C(1) << PMMU_RTL_PKG_E_G) == PMMU_PTE_G &&
                   (UINT64_C(1) << PMMU_RTL_PKG_E_PAT_LARGE) == PMMU_PTE_PATLG &&
                   (UINT64_C(1) << PMMU_RTL_PKG_E_XD) == PMMU_PTE_XD,
               "paging-entry bit positions differ between pmmu_pkg.sv and the model");
_Static_assert(PMMU_RTL_PLRU == (int)PMMU_POLICY_PLRU && PMMU_RTL_LRU == (int)PMMU_POLICY_LRU &&
                   PMMU_RTL_FIFO == (int)PMMU_POLICY_FIFO &&
                   PMMU_RTL_RANDOM == (int)PMMU_POLICY_RANDOM,
               "replacement policy numbers differ between pmmu_pkg.sv and the model");

/* agree today, mapped explicitly */
_Static_assert(PMMU_RTL_ACC_READ == (unsigned)PMMU_READ &&
                   PMMU_RTL_ACC_WRITE == (unsigned)PMMU_WRITE &&
                   PMMU_RTL_ACC_FETCH == (unsigned)PMMU_FETCH,
               "access kinds: review engine_rtl.c's mapping");
_Static_assert(PMMU_RTL_TLB_OFF == (unsigned)PMMU_TLB_OFF &&
                   PMMU_RTL_TLB_HIT == (unsigned)PMMU_TLB_HIT &&
                   PMMU_RTL_TLB_MISS == (unsigned)PMMU_TLB_MISS,
               "TLB results: review engine_rtl.c's mapping");
_Static_assert(PMMU_RTL_FLUSH_NONGLOBAL == (unsigned)PMMU_FLUSH_NONGLOBAL &&
                   PMMU_RTL_FLUSH_ALL == (unsigned)PMMU_FLUSH_ALL &&
                   PMMU_RTL_FLUSH_PAGE == (unsigned)PMMU_FLUSH_PAGE,
               "flush kinds: review engine_rtl.c's mapping");
_Static_assert(PMMU_RTL_MEM_READ == (unsigned)PMMU_MEM_READ &&
                   PMMU_RTL_MEM_CAS == (unsigned)PMMU_MEM_CAS,
               "memory operations: review engine_rtl.c's mapping");
_Static_assert(PMMU_RTL_PRIV_USER != PMMU_RTL_PRIV_SUP &&
                   PMMU_RTL_PRIV_USER != PMMU_RTL_PRIV_IMPLICIT &&
                   PMMU_RTL_PRIV_SUP != PMMU_RTL_PRIV_IMPLICIT,
               "privilege kinds must be distinct");

/* widths */
_Static_assert(FITS(PMMU_RTL_ACC_READ, PMMU_RTL_ACC_T_BITS) &&
                   FITS(PMMU_RTL_ACC_WRITE, PMMU_RTL_ACC_T_BITS) &&
                   FITS(PMMU_RTL_ACC_FETCH, PMMU_RTL_ACC_T_BITS),
               "acc_t");
_Static_assert(FITS(PMMU_RTL_PRIV_USER, PMMU_RTL_PRIV_T_BITS) &&
                   FITS(PMMU_RTL_PRIV_SUP, PMMU_RTL_PRIV_T_BITS) &&
                   FITS(PMMU_RTL_PRIV_IMPLICIT, PMMU_RTL_PRIV_T_BITS),
               "priv_t");
_Static_assert(FITS(PMMU_RTL_FLUSH_NONGLOBAL, PMMU_RTL_FLUSH_T_BITS) &&
                   FITS(PMMU_RTL_FLUSH_ALL, PMMU_RTL_FLUSH_T_BITS) &&
                   FITS(PMMU_RTL_FLUSH_PAGE, PMMU_RTL_FLUSH_T_BITS) &&
                   FITS(PMMU_RTL_FLUSH_LOAD_PDPTE, PMMU_RTL_FLUSH_T_BITS),
               "flush_t");
_Static_assert(FITS(PMMU_RTL_TLB_MISS, PMMU_RTL_TLB_RES_T_BITS) &&
                   FITS(PMMU_RTL_MEM_CAS, PMMU_RTL_MEM_OP_T_BITS) &&
                   PMMU_RTL_MEM_SIZE_T_BITS == 1u && PMMU_RTL_MEM_SIZE4 != PMMU_RTL_MEM_SIZE8,
               "tlb_res_t, mem_op_t, mem_size_t (the shim turns mem_size_t into 4 or 8 bytes)");

int main(void) {
  printf("rtl_pkg_check: the encodings of rtl/pmmu_pkg.sv agree with the C side\n");
  return 0;
}
