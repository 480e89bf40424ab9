// A software prefetch hint for Swift hot loops (Swift has no prefetch intrinsic).
// Why: encoding looks up every pre-token piece in multi-megabyte hash tables; issuing the loads of the
// next pieces' slots while the current piece is encoded overlaps their cache misses instead of paying
// them one after another (see docs/algorithms/bpe-encoding.md, "Batched, pipelined lookups").
// Header-only: the function is static inline, so Swift inlines it and nothing is linked.
#ifndef TESSERA_CPREFETCH_H
#define TESSERA_CPREFETCH_H

static inline __attribute__((always_inline)) void tessera_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
