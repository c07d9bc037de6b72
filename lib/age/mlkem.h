/* coyeu — internal: ML-KEM-768 (FIPS 203, final standard, August 2024).
 *
 * Byte strings in and out, as FIPS 203 defines them.  The expanded
 * decapsulation key dk is secret: callers keep it in guarded memory.  The
 * arithmetic on secret data runs without secret-dependent branches or table
 * indices; the working polynomials live in guarded memory and are wiped.
 */
#ifndef COYEU_LIB_MLKEM_H
#define COYEU_LIB_MLKEM_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"

#define CY_MLKEM768_EK_LEN 1184   /* 384k + 32 */
#define CY_MLKEM768_DK_LEN 2400   /* 768k + 96 */
#define CY_MLKEM768_CT_LEN 1088   /* 32 (du k + dv) */
#define CY_MLKEM_SEED_LEN 64      /* d || z */
#define CY_MLKEM_MSG_LEN 32       /* m */
#define CY_MLKEM_SS_LEN 32        /* shared secret K */
#define CY_MLKEM_Q 3329

/* ML-KEM.KeyGen_internal(d, z), Algorithm 16: seed = d || z. */
int cy_mlkem768_keygen(const uint8_t seed[CY_MLKEM_SEED_LEN],
    uint8_t ek[CY_MLKEM768_EK_LEN], uint8_t dk[CY_MLKEM768_DK_LEN]) CY_MUST_CHECK;

/* The same from K-PKE.KeyGen step 2 on, given (rho, sigma) directly.  The
 * FIPS 203 draft derived them as G(d), the standard as G(d || k); the
 * published intermediate and "unlucky" vectors use the draft, so tests
 * start here. */
int cy_mlkem768_keygen_from(const uint8_t rho[32], const uint8_t sigma[32],
    const uint8_t z[32], uint8_t ek[CY_MLKEM768_EK_LEN],
    uint8_t dk[CY_MLKEM768_DK_LEN]) CY_MUST_CHECK;

/* The encapsulation key check of section 7.2 (type and modulus check):
 * 0, or CY_E_FORMAT when a coefficient of t is not below q. */
int cy_mlkem768_ek_check(const uint8_t ek[CY_MLKEM768_EK_LEN]) CY_MUST_CHECK;

/* ML-KEM.Encaps_internal(ek, m), Algorithm 17, after the key check:
 * CY_E_FORMAT for a key that fails it. */
int cy_mlkem768_encaps(const uint8_t ek[CY_MLKEM768_EK_LEN],
    const uint8_t m[CY_MLKEM_MSG_LEN], uint8_t ct[CY_MLKEM768_CT_LEN],
    uint8_t ss[CY_MLKEM_SS_LEN]) CY_MUST_CHECK;

/* ML-KEM.Decaps, Algorithm 18 with the hash check of section 7.3 on dk
 * (CY_E_FORMAT).  A ciphertext that does not re-encrypt gives the implicit
 * rejection key J(z || c), never an error. */
int cy_mlkem768_decaps(const uint8_t dk[CY_MLKEM768_DK_LEN],
    const uint8_t ct[CY_MLKEM768_CT_LEN], uint8_t ss[CY_MLKEM_SS_LEN])
    CY_MUST_CHECK;

/* Exposed for exhaustive tests: x mod q for x < 2q^2, and Compress_d(x)
 * for x < q, both without division. */
uint16_t cy_mlkem_reduce(uint32_t x);
uint16_t cy_mlkem_compress(uint16_t x, unsigned d);

#endif
