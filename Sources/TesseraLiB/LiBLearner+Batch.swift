// The batch updates that close each LiB step (the reference's `batch_forget`, `batch_rerank` with
// `TrieList.batch_move`, `batch_probation_mark`) and the end-of-training `clean_lexicon`.
//
// Rank-move arithmetic (reference `batch_move`/`move`): for a chunk at rank i > 0 with sign e (−1 reward,
// +1 punishment), step = e · (⌊i·Δ⌋ + 1); the chunk goes to max(0, i + step), and a tail-ward move whose
// target is past the last position deletes the chunk. Rank 0 never moves. Moves apply one after another
// in the order the rewards were given, each seeing the positions left by the previous ones.
//
// Complexity: O(|probation|) to age the pool and O(|L|) to take the forgotten chunks out of the order
// in one pass; per move O(W + distance / W) (`RankedList`, W = 16), a rank O(1); O(ω|L|) for the tail
// marks.

extension LiBLearner {
    /// The batch updates after an article: forget expired probation, apply rank moves, mark the tail.
    func endStep() {
        // Forgetter 1: age every chunk on probation; those whose life runs out leave the lexicon.
        var forgotten: [UInt32] = []
        var i = 0
        while i < pool.count {
            let h = pool[i]
            lifeLeft[Int(h)] -= 1
            if lifeLeft[Int(h)] < 1 {
                forgotten.append(h)
                release(h)          // swaps the last pooled chunk into slot i, so i is not advanced
            } else {
                i += 1
            }
        }
        // One pass over the order for all of them (removed one by one, each would shift the tail).
        order.remove(forgotten)
        for h in forgotten { trie.remove(Int32(h)) }

        // Re-rank, in reward order; rewards of forgotten chunks are dropped (their handles are dead).
        for i in 0..<rewards.count {
            let h = rewards[i].handle
            guard order.contains(h) else { continue }
            let rank = order.rank(of: h)
            switch Self.rankMove(rank: rank, sign: Int(rewards[i].sign), updateRate: parameters.updateRate, count: order.count) {
            case .stay: continue
            case .move(let target): order.move(h, from: rank, to: target)
            case .delete: deleteEntry(h)
            }
        }
        rewards.removeAll()

        // Forgetter 2: the ω tail goes on probation (chunks already there keep their life and context).
        let tailStart = Int((1 - parameters.outRate) * Double(order.count))
        if tailStart < order.count {
            for r in tailStart..<order.count {
                let h = order.handle(at: r)
                if poolIndex[Int(h)] < 0 { startProbation(h) }
            }
        }
        compactContexts()
    }

    /// Where a reward (sign −1) or punishment (+1) sends the chunk at `rank` in a lexicon of `count` chunks.
    public enum RankMove: Equatable, Sendable {
        case stay
        case move(to: Int)
        case delete
    }

    /// The reference's rank-move arithmetic: rank 0 stays; otherwise step = sign · (⌊rank·Δ⌋ + 1), the
    /// target is clamped at the head, and a tail-ward target past the last position deletes the chunk.
    public static func rankMove(rank: Int, sign: Int, updateRate: Double, count: Int) -> RankMove {
        guard rank > 0 else { return .stay }
        let step = sign * (Int(Double(rank) * updateRate) + 1)
        let target = rank + step
        if step < 0 { return .move(to: max(0, target)) }
        return target < count ? .move(to: target) : .delete
    }

    /// Removes a chunk from the lexicon, the trie and probation, and recycles its handle.
    func deleteEntry(_ h: UInt32) {
        release(h)
        order.remove(h)
        trie.remove(Int32(h))
    }

    /// The reference's `clean_lexicon`: every chunk still on probation leaves the lexicon.
    public func removeChunksOnProbation() {
        while pool.count > 0 { deleteEntry(pool[pool.count - 1]) }
    }

    /// Rewrites the context buffer without the contexts of chunks that left probation, once they are
    /// most of it (contexts are appended as chunks are memorized, so without this it grows with every step).
    private func compactContexts() {
        guard contextGarbage > 1 << 16 && contextGarbage * 2 > contextBytes.count else { return }
        var packed: [UInt8] = [0]
        packed.reserveCapacity(contextBytes.count - contextGarbage)
        for i in 0..<pool.count where contextStart[Int(pool[i])] >= 0 {
            let h = pool[i]
            let start = contextStart[Int(h)]
            let n = Int(contextLeft[Int(h)] + contextRight[Int(h)])
            contextStart[Int(h)] = packed.count
            packed.append(contentsOf: contextBytes[start..<start + n])
        }
        contextBytes = packed
        contextGarbage = 0
    }
}
