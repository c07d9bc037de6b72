/* coyeu — classification levels of Vietnam's state-secret law.
 *
 *   level          name         shown        outer mark  protection
 *   CY_LEVEL_MAT        mat          MẬT          C           10 years
 *   CY_LEVEL_TOI_MAT    toi-mat      TỐI MẬT      B           20 years
 *   CY_LEVEL_TUYET_MAT  tuyet-mat    TUYỆT MẬT    A           30 years
 *
 * Levels are ordered: a higher number is a higher level.
 */
#ifndef COYEU_LEVEL_H
#define COYEU_LEVEL_H

#include <stddef.h>
#include <stdint.h>

#include "coyeu/error.h"

enum cy_level {
	CY_LEVEL_MAT = 1,
	CY_LEVEL_TOI_MAT = 2,
	CY_LEVEL_TUYET_MAT = 3,
};

/* The level named p[0..len) ("mat", "toi-mat", "tuyet-mat"), or 0. */
CY_API int cy_level_parse(const char *p, size_t len);
/* "mat" …, or NULL for a value that is not a level. */
CY_API const char *cy_level_name(int level);
/* "MẬT", "TỐI MẬT", "TUYỆT MẬT" (UTF-8), or NULL. */
CY_API const char *cy_level_display(int level);
/* 'C', 'B', 'A', or 0. */
CY_API char cy_level_mark(int level);
/* 10, 20, 30, or 0. */
CY_API int cy_level_protect_years(int level);
/* The latest protect-until a document of `level` created at `created`
 * (Unix seconds) may carry: created + 10, 20 or 30 calendar years (the law
 * counts years, not days), the time of day kept; 29 February onto a common
 * year is 1 March.  The one definition of the protection period's cap:
 * sealing, opening and the policy (cy_policy_protect_cap) apply it.  0
 * for a value that is not a level or a time outside the canonical range
 * (canon.h). */
CY_API int64_t cy_level_protect_limit(int level, int64_t created);

#endif
