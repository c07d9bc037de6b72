/* Mixed-script words (UTS #39 restriction levels, through ICU's spoof
 * checker): see cy_canon_check_scripts in include/coyeu/canon.h. */
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>

#include "coyeu/canon.h"
#include "base/text.h"

#define WORD_MASK (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK)
#define MIXED (USPOOF_RESTRICTION_LEVEL | USPOOF_MIXED_NUMBERS)

static int
open_checker(USpoofChecker **out, cy_error *err)
{
	UErrorCode uerr = U_ZERO_ERROR;
	USpoofChecker *sc;

	*out = NULL;
	sc = uspoof_open(&uerr);
	if (U_SUCCESS(uerr))
		uspoof_setChecks(sc, MIXED, &uerr);
	if (U_FAILURE(uerr)) {
		uspoof_close(sc);
		return cy_error_set(err, CY_E_CRYPTO,
		    "ICU: no spoof checker: %s", u_errorName(uerr));
	}
	uspoof_setRestrictionLevel(sc, USPOOF_HIGHLY_RESTRICTIVE);
	*out = sc;
	return 0;
}

/* 1 when p[0..len) goes past the restriction level, 0 when not, negative
 * on an ICU failure. */
static int
word_mixed(const USpoofChecker *sc, const char *p, size_t len, cy_error *err)
{
	UErrorCode uerr = U_ZERO_ERROR;
	int32_t r;

	r = uspoof_check2UTF8(sc, p, (int32_t)len, NULL, &uerr);
	if (U_FAILURE(uerr))
		return cy_error_set(err, CY_E_CRYPTO, "ICU: spoof check: %s",
		    u_errorName(uerr));
	return (r & MIXED) != 0;
}

/* The first script of the word that is neither Common nor Inherited. */
static UScriptCode
first_script(const char *p, size_t len)
{
	UErrorCode uerr = U_ZERO_ERROR;
	UScriptCode s;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len && (n = cy_utf8_decode((const uint8_t *)p + i, len - i,
	    &cp)) != 0) {
		s = uscript_getScript((UChar32)cp, &uerr);
		if (U_SUCCESS(uerr) && s != USCRIPT_COMMON &&
		    s != USCRIPT_INHERITED)
			return s;
		i += n;
	}
	return USCRIPT_COMMON;
}

/* Names the character at which the (mixed) word p[0..len) first goes past
 * the restriction level: the shortest failing prefix ends with it. */
static int
report(const USpoofChecker *sc, const char *p, size_t len, const char *what,
    cy_error *err)
{
	UErrorCode uerr = U_ZERO_ERROR;
	char name[CY_CANON_CHAR_NAME_MAX];
	size_t i = 0, n;
	uint32_t cp = 0;
	int r;

	while (i < len &&
	    (n = cy_utf8_decode((const uint8_t *)p + i, len - i, &cp)) != 0) {
		i += n;
		if ((r = word_mixed(sc, p, i, err)) != 0) {
			if (r < 0)
				return r;
			break;
		}
	}
	cy_canon_char_name(cp, name, sizeof(name));
	return cy_error_set(err, CY_E_POLICY,
	    "%s: the word \"%.*s\" mixes scripts, as look-alike text does: "
	    "U+%04X %s (%s) after %s letters", what, (int)len, p,
	    (unsigned)cp, name,
	    uscript_getName(uscript_getScript((UChar32)cp, &uerr)),
	    uscript_getName(first_script(p, len)));
}

/* The segment at p: a word (letters, marks, digits; *word set) or else
 * one other code point.  Its length, or 0 for bad UTF-8; *ascii says
 * whether it is all ASCII. */
static size_t
segment(const char *p, size_t len, int *word, int *ascii)
{
	size_t i = 0, n;
	uint32_t cp;

	*word = 0;
	*ascii = 1;
	while (i < len) {
		if ((n = cy_utf8_decode((const uint8_t *)p + i, len - i,
		    &cp)) == 0)
			return 0;
		if (!(U_GET_GC_MASK((UChar32)cp) & WORD_MASK))
			return i > 0 ? i : n;
		*word = 1;
		*ascii &= cp < 0x80;
		i += n;
	}
	return i;
}

int
cy_canon_check_scripts(const char *p, size_t len, const char *what,
    cy_error *err)
{
	USpoofChecker *sc = NULL;
	size_t i = 0, n;
	int word, ascii, rc = 0;

	if (len > INT32_MAX)
		return cy_error_set(err, CY_E_TOO_LARGE, "%s: text too long",
		    what);
	for (; i < len && rc == 0; i += n) {
		if ((n = segment(p + i, len - i, &word, &ascii)) == 0) {
			rc = cy_error_set(err, CY_E_FORMAT,
			    "%s: invalid UTF-8 at byte %zu", what, i);
			break;
		}
		if (!word || ascii)
			continue;
		if (sc == NULL && (rc = open_checker(&sc, err)) != 0)
			break;
		if ((rc = word_mixed(sc, p + i, n, err)) > 0)
			rc = report(sc, p + i, n, what, err);
	}
	if (sc != NULL)
		uspoof_close(sc);
	return rc;
}
