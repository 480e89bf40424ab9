/*
 * CICUShim: the only door from Swift into ICU (break iterators, scripts, regular expressions, error names).
 *
 * Invariant: this header includes no ICU header and names no ICU type. Swift modules that import it can also
 * import Foundation, whose private ICU 76 module map defines UErrorCode, UScriptCode, ... differently from the
 * system ICU 72 headers; a Clang instance that sees both fails with "'UErrorCode' has different definitions in
 * different modules". Every ICU type stays in cicu_shim.c behind the opaque handles below.
 * Error codes are ICU UErrorCode values passed as int32_t (0 = success, > 0 = failure, < 0 = warning).
 * Complexity: each call is one ICU call plus O(1) bookkeeping.
 */
#ifndef TESSERA_CICU_SHIM_H
#define TESSERA_CICU_SHIM_H
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- library ---------------------------------------------------------------------------------------- */
void cicu_version(uint8_t out[4]);
/* The Unicode version ICU's character data implements, e.g. {15, 0, 0, 0} for ICU 72. */
void cicu_unicode_version(uint8_t out[4]);
/* Symbolic name of an ICU error code ("U_REGEX_RULE_SYNTAX"); never NULL. */
const char *cicu_error_name(int32_t code);

/* ---- break iterators (UTF-16 text; the text must outlive the iterator) -------------------------------- */
typedef struct cicu_brk cicu_brk;
enum { CICU_BRK_CHARACTER = 0, CICU_BRK_WORD = 1, CICU_BRK_LINE = 2, CICU_BRK_SENTENCE = 3 };
/* Rule statuses at or above this value mark words (letters, numbers, kana, ideographs): UBRK_WORD_NONE_LIMIT. */
enum { CICU_WORD_NONE_LIMIT = 100 };
cicu_brk *cicu_brk_open(int32_t kind, const char *locale, const uint16_t *text, int32_t len, int32_t *err);
int32_t cicu_brk_first(cicu_brk *bi);
int32_t cicu_brk_next(cicu_brk *bi); /* -1 when done */
int32_t cicu_brk_rule_status(cicu_brk *bi);
void cicu_brk_close(cicu_brk *bi);

/* ---- scripts ------------------------------------------------------------------------------------------ */
enum { CICU_SCRIPT_COMMON = 0, CICU_SCRIPT_INHERITED = 1, CICU_SCRIPT_LATIN = 25, CICU_SCRIPT_UNKNOWN = 103 };
/* The Script property value (UScriptCode) of a code point; CICU_SCRIPT_UNKNOWN for invalid input. */
int32_t cicu_script(uint32_t cp);
/* Long property value name ("Latin", "Han", "Common"); NULL for an out-of-range code. */
const char *cicu_script_name(int32_t script);
/* ISO 15924 code ("Latn", "Hani", "Zyyy"); NULL for an out-of-range code. */
const char *cicu_script_short_name(int32_t script);

/* ---- regular expressions on UTF-8 (offsets are byte offsets) ---------------------------------------- */
typedef struct cicu_regex cicu_regex;
enum { CICU_REGEX_CASE_INSENSITIVE = 2, CICU_REGEX_UNIX_LINES = 1 };
/* Compiles a UTF-16 pattern. On failure returns NULL, sets *err and the parse position (1-based line,
   code-point offset within that line; -1 when ICU reports none). */
cicu_regex *cicu_regex_open(const uint16_t *pattern, int32_t len, uint32_t flags, int32_t *err,
                            int32_t *err_line, int32_t *err_offset);
/* A new matcher sharing the compiled pattern (thread-safe on the same source; see ICU's uregex_clone). */
cicu_regex *cicu_regex_clone(const cicu_regex *re, int32_t *err);
/* Points the matcher at UTF-8 text without copying it (utext_openUTF8); text must outlive the matching.
   Returns an error code (0 = success). A NULL text with len 0 is the empty string. */
int32_t cicu_regex_set_utf8(cicu_regex *re, const char *text, int64_t len);
/* Next match: returns 1 and stores the byte offsets in start and end, 0 when there is none, -code on failure. */
int32_t cicu_regex_next(cicu_regex *re, int64_t *start, int64_t *end);
/* Detaches the text so the matcher holds no pointer into the caller's buffer. */
void cicu_regex_reset_text(cicu_regex *re);
void cicu_regex_close(cicu_regex *re);

#ifdef __cplusplus
}
#endif
#endif
