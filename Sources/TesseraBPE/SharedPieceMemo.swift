// A piece memo shared by every thread that encodes with one model: merged pieces, written once, read by all.
//
// Why: each thread's own cache (PieceCache.swift) learns only from the pieces that thread meets, so with
// N threads every merged piece is merged up to N times, and a batch's threads warm up slowly (2 threads
// over 8 passes of the 20 MB benchmark corpus climbed from 121 to 324 MB/s). Here the first thread to
// merge a piece publishes it, and the others copy it into their own caches on their first miss.
// Scheme: open addressing with linear probing over 2^18 slots of one 64-byte line,
// [key = hash | 1][length << 48 | id count << 32][key bytes, 24][ids, 6 × 4]; only entries that fit inline
// are shared. A writer claims an empty slot by compare-and-swap of its first word from 0 to `claimed`
// (an even value, which no key is), fills the line with plain stores and publishes it with a release
// store of the key; a reader loads the first word with acquire, so a published line is complete. Slots
// are never changed or freed again (the table is not cleared: it stops taking entries at half load), so
// a reader never sees a line being rewritten. A concurrent duplicate insert only wastes a slot.
// Invariant: a hit returns exactly what encoding the piece returns (keys are compared byte for byte).
// It is used once a second thread takes the model up (a thread that alternates between two models counts
// again at each switch: harmless, it only turns sharing on early).
// Complexity: O(1) expected per lookup or insert, at most `maxProbes` lines. Memory: 16 MiB of address
// space per model, mapped lazily (pages appear as entries land in them).

import CAtomicWords
import Foundation
import Synchronization

/// Owner of the shared table (one per `BPEModel`); the hot loop reads it through `SharedPieceMemo.View`.
@usableFromInline
final class SharedPieceMemo: @unchecked Sendable {
    @usableFromInline static let slotCount = 1 << 18
    @usableFromInline static let slotWords = 8
    @usableFromInline static let inlineKeyBytes = 24
    @usableFromInline static let inlineIDs = 6
    @usableFromInline static let maxProbes = 16
    /// The first word of a slot being written.
    @usableFromInline static let claimed: UInt64 = 2
    /// Words: the slots, then one word counting the published entries.
    private let base: UnsafeMutableRawPointer?
    private static let bytes = (slotCount * slotWords + 8) * 8
    /// Threads that have taken up this model (counted when a thread's piece cache switches to it).
    private let users = Atomic<Int>(0)

    /// Notes one more thread encoding with the model.
    @usableFromInline func noteUser() { users.add(1, ordering: .relaxed) }

    /// The view once a second thread uses the model; nil before (one thread gains nothing from sharing,
    /// and would pay the table's page faults and inserts on its first pass), or when mapping failed.
    @usableFromInline var viewWhenShared: View? {
        users.load(ordering: .relaxed) >= 2 ? view : nil
    }

    init() {
        let mapped = mmap(nil, Self.bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        base = mapped == MAP_FAILED ? nil : mapped
    }

    deinit {
        if let base { munmap(base, Self.bytes) }
    }

    /// The table's view, or nil when the address space could not be mapped (encoding then just goes
    /// without sharing).
    @usableFromInline var view: View? {
        guard let base else { return nil }
        let slots = base.bindMemory(to: UInt64.self, capacity: Self.slotCount * Self.slotWords + 1)
        return View(slots: slots, published: slots + Self.slotCount * Self.slotWords)
    }

    /// Raw access for the encoder (no reference counting in the hot loop).
    @usableFromInline
    struct View {
        @usableFromInline let slots: UnsafeMutablePointer<UInt64>
        @usableFromInline let published: UnsafeMutablePointer<UInt64>

        @usableFromInline init(slots: UnsafeMutablePointer<UInt64>, published: UnsafeMutablePointer<UInt64>) {
            self.slots = slots; self.published = published
        }

        /// Whether a piece of `n` bytes with `idCount` ids may be shared.
        @inlinable @inline(__always)
        static func shares(_ n: Int, idCount: Int) -> Bool {
            n >= 2 && n <= SharedPieceMemo.inlineKeyBytes && idCount >= 1 && idCount <= SharedPieceMemo.inlineIDs
        }

        /// Calls `body` with each slot of the probe sequence of `hash` (at most `maxProbes`) and the key the
        /// slot must hold, until `body` returns false.
        @inlinable @inline(__always)
        func probe(_ hash: UInt64, _ body: (_ slot: UnsafeMutablePointer<UInt64>, _ key: UInt64) -> Bool) {
            let key = hash | 1
            let mask = SharedPieceMemo.slotCount - 1
            var i = Int(truncatingIfNeeded: key) & mask
            for _ in 0..<SharedPieceMemo.maxProbes {
                if !body(slots + SharedPieceMemo.slotWords &* i, key) { return }
                i = (i &+ 1) & mask
            }
        }

        /// Appends the ids published for the `n` bytes at `text` and returns true, or returns false.
        @inlinable
        func lookup<S: TokenSink>(_ hash: UInt64, _ text: UnsafePointer<UInt8>, _ n: Int, into out: inout S) -> Bool {
            guard n >= 2 && n <= SharedPieceMemo.inlineKeyBytes else { return false }
            var hit = false
            probe(hash) { slot, key in
                let first = tessera_load_acquire(slot)
                if first == 0 { return false }
                guard first == key else { return true }
                let meta = slot[1]
                guard Int(truncatingIfNeeded: meta >> 48) == n && PieceCacheView.equal(UnsafeRawPointer(slot + 2), text, n) else { return true }
                let count = Int(truncatingIfNeeded: (meta >> 32) & 0xffff)
                let ids = UnsafeRawPointer(slot + 5).assumingMemoryBound(to: TokenID.self)
                for k in 0..<count { out.append(ids[k]) }
                hit = true
                return false
            }
            return hit
        }

        /// Publishes `ids` for the `n` bytes at `text` (when `shares(n, idCount:)` and the table is below half
        /// load); a piece already present, or a probe sequence full for `maxProbes` lines, is left alone.
        @inlinable
        func insert(_ hash: UInt64, _ text: UnsafePointer<UInt8>, _ n: Int, _ ids: UnsafeBufferPointer<TokenID>) {
            guard let idBase = ids.baseAddress, Self.shares(n, idCount: ids.count),
                  tessera_load_acquire(published) < UInt64(SharedPieceMemo.slotCount / 2) else { return }
            probe(hash) { slot, key in
                let first = tessera_load_acquire(slot)
                if first == key { return false }
                guard first == 0 && tessera_claim_zero(slot, SharedPieceMemo.claimed) else { return true }
                slot[1] = UInt64(n) << 48 | UInt64(ids.count) << 32
                UnsafeMutableRawPointer(slot + 2).copyMemory(from: text, byteCount: n)
                UnsafeMutableRawPointer(slot + 5).copyMemory(from: idBase, byteCount: ids.count * 4)
                tessera_store_release(slot, key)
                _ = tessera_fetch_add_relaxed(published, 1)
                return false
            }
        }
    }
}
