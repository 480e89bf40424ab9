/*
 * CICUShim implementation: thin wrappers that let ICU's version-renaming macros (ubrk_open -> ubrk_open_72)
 * expand in C, so the Swift side links against any ICU version and never sees an ICU type.
 *
 * Invariant: every handle returned here is released only by its matching *_close; no function keeps a pointer
 * to caller memory beyond what the header documents (break-iterator text, regex text until reset/close).
 * Complexity: O(1) per call apart from the ICU work itself.
 */
#include "cicu_shim.h"

#include <stdlib.h>
#include <unicode/utypes.h>
#include <unicode/uversion.h>
#include <unicode/uchar.h>
#include <unicode/ubrk.h>
#include <unicode/uscript.h>
#include <unicode/uregex.h>
#include <unicode/utext.h>

/* The header mirrors a few ICU constants so it can stay ICU-free; fail the build if ICU ever changes them. */
_Static_assert(CICU_BRK_CHARACTER == UBRK_CHARACTER && CICU_BRK_WORD == UBRK_WORD && CICU_BRK_LINE == UBRK_LINE &&
                   CICU_BRK_SENTENCE == UBRK_SENTENCE, "break iterator kinds");
_Static_assert(CICU_WORD_NONE_LIMIT == UBRK_WORD_NONE_LIMIT, "word rule status limit");
_Static_assert(CICU_SCRIPT_COMMON == USCRIPT_COMMON && CICU_SCRIPT_INHERITED == USCRIPT_INHERITED &&
                   CICU_SCRIPT_LATIN == USCRIPT_LATIN && CICU_SCRIPT_UNKNOWN == USCRIPT_UNKNOWN, "script codes");
_Static_assert(CICU_REGEX_CASE_INSENSITIVE == UREGEX_CASE_INSENSITIVE && CICU_REGEX_UNIX_LINES == UREGEX_UNIX_LINES,
               "regex flags");
_Static_assert(sizeof(UChar) == sizeof(uint16_t), "UChar is UTF-16");

void cicu_version(uint8_t out[4]) { u_getVersion(out); }

void cicu_unicode_version(uint8_t out[4]) { u_getUnicodeVersion(out); }

const char *cicu_error_name(int32_t code) {
    const char *name = u_errorName((UErrorCode)code);
    return name ? name : "U_UNKNOWN_ERROR";
}

/* ---- break iterators ---- */

cicu_brk *cicu_brk_open(int32_t kind, const char *locale, const uint16_t *text, int32_t len, int32_t *err) {
    UErrorCode status = U_ZERO_ERROR;
    static const UChar empty[1] = {0};
    UBreakIterator *bi = ubrk_open((UBreakIteratorType)kind, locale, text ? (const UChar *)text : empty,
                                   text ? len : 0, &status);
    *err = (int32_t)status;
    if (U_FAILURE(status)) {
        if (bi) ubrk_close(bi);
        return NULL;
    }
    return (cicu_brk *)bi;
}

int32_t cicu_brk_first(cicu_brk *bi) { return ubrk_first((UBreakIterator *)bi); }

int32_t cicu_brk_next(cicu_brk *bi) {
    int32_t next = ubrk_next((UBreakIterator *)bi);
    return next == UBRK_DONE ? -1 : next;
}

int32_t cicu_brk_rule_status(cicu_brk *bi) { return ubrk_getRuleStatus((UBreakIterator *)bi); }

void cicu_brk_close(cicu_brk *bi) {
    if (bi) ubrk_close((UBreakIterator *)bi);
}

/* ---- scripts ---- */

int32_t cicu_script(uint32_t cp) {
    if (cp > 0x10FFFF) return USCRIPT_UNKNOWN;
    UErrorCode status = U_ZERO_ERROR;
    UScriptCode code = uscript_getScript((UChar32)cp, &status);
    return U_FAILURE(status) ? USCRIPT_UNKNOWN : (int32_t)code;
}

const char *cicu_script_name(int32_t script) { return uscript_getName((UScriptCode)script); }

const char *cicu_script_short_name(int32_t script) { return uscript_getShortName((UScriptCode)script); }

/* ---- regular expressions ---- */

/* One matcher plus the UTF-8 UText it reads; the UText is reused across texts to avoid an allocation per call. */
struct cicu_regex {
    URegularExpression *re;
    UText *text;
};

static const char empty_utf8[1] = {0};

cicu_regex *cicu_regex_open(const uint16_t *pattern, int32_t len, uint32_t flags, int32_t *err,
                            int32_t *err_line, int32_t *err_offset) {
    UErrorCode status = U_ZERO_ERROR;
    UParseError pe;
    pe.line = -1;
    pe.offset = -1;
    static const UChar empty[1] = {0};
    *err_line = -1;
    *err_offset = -1;
    cicu_regex *handle = (cicu_regex *)calloc(1, sizeof(cicu_regex));
    if (!handle) {
        *err = U_MEMORY_ALLOCATION_ERROR;
        return NULL;
    }
    handle->re = uregex_open(pattern ? (const UChar *)pattern : empty, pattern ? len : 0, flags, &pe, &status);
    *err = (int32_t)status;
    if (U_FAILURE(status)) {
        *err_line = pe.line;
        *err_offset = pe.offset;
        if (handle->re) uregex_close(handle->re);
        free(handle);
        return NULL;
    }
    return handle;
}

cicu_regex *cicu_regex_clone(const cicu_regex *re, int32_t *err) {
    UErrorCode status = U_ZERO_ERROR;
    cicu_regex *handle = (cicu_regex *)calloc(1, sizeof(cicu_regex));
    if (!handle) {
        *err = U_MEMORY_ALLOCATION_ERROR;
        return NULL;
    }
    handle->re = uregex_clone(re->re, &status);
    *err = (int32_t)status;
    if (U_FAILURE(status)) {
        if (handle->re) uregex_close(handle->re);
        free(handle);
        return NULL;
    }
    return handle;
}

int32_t cicu_regex_set_utf8(cicu_regex *re, const char *text, int64_t len) {
    UErrorCode status = U_ZERO_ERROR;
    if (!text) {
        text = empty_utf8;
        len = 0;
    }
    /* Passing the previous UText back makes ICU re-initialise it in place instead of allocating. */
    UText *ut = utext_openUTF8(re->text, text, len, &status);
    if (U_FAILURE(status)) return (int32_t)status;
    re->text = ut;
    uregex_setUText(re->re, ut, &status);
    return (int32_t)status;
}

int32_t cicu_regex_next(cicu_regex *re, int64_t *start, int64_t *end) {
    UErrorCode status = U_ZERO_ERROR;
    UBool found = uregex_findNext(re->re, &status);
    if (U_FAILURE(status)) return -(int32_t)status;
    if (!found) return 0;
    int64_t s = uregex_start64(re->re, 0, &status);
    int64_t e = uregex_end64(re->re, 0, &status);
    if (U_FAILURE(status)) return -(int32_t)status;
    *start = s;
    *end = e;
    return 1;
}

void cicu_regex_reset_text(cicu_regex *re) {
    UErrorCode status = U_ZERO_ERROR;
    /* An empty UTF-8 text replaces the caller's; ICU's matcher clones the UText shallowly, so both must go. */
    UText *ut = utext_openUTF8(re->text, empty_utf8, 0, &status);
    if (U_SUCCESS(status)) {
        re->text = ut;
        uregex_setUText(re->re, ut, &status);
    }
}

void cicu_regex_close(cicu_regex *re) {
    if (!re) return;
    if (re->re) uregex_close(re->re);
    if (re->text) utext_close(re->text);
    free(re);
}
