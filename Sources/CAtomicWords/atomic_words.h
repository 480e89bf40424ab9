// Acquire/release operations on plain 64-bit words in raw memory, for Swift code that shares a table
// between threads (Swift's `Atomic` lives in a stored property, not at an address in a buffer).
// Header-only: static inline, so Swift inlines them and nothing is linked.
#ifndef TESSERA_ATOMIC_WORDS_H
#define TESSERA_ATOMIC_WORDS_H

#include <stdbool.h>
#include <stdint.h>

static inline __attribute__((always_inline)) uint64_t tessera_load_acquire(const uint64_t *word) {
    return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

static inline __attribute__((always_inline)) void tessera_store_release(uint64_t *word, uint64_t value) {
    __atomic_store_n(word, value, __ATOMIC_RELEASE);
}

/// Sets `*word` from 0 to `value`; false when it was not 0.
static inline __attribute__((always_inline)) bool tessera_claim_zero(uint64_t *word, uint64_t value) {
    uint64_t expected = 0;
    return __atomic_compare_exchange_n(word, &expected, value, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) uint64_t tessera_fetch_add_relaxed(uint64_t *word, uint64_t value) {
    return __atomic_fetch_add(word, value, __ATOMIC_RELAXED);
}

#endif
