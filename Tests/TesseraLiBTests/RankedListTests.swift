// RankedList (the lexicon order as a tiered vector) against a plain array doing the same operations,
// through enough inserts, moves (within a ring, to a neighbouring ring, across many) and removals, one
// by one and in batches, to grow it over many rings, turn them, and shrink it again.
import Testing
@testable import TesseraLiB
import TesseraTokenizer

@Suite("RankedList")
struct RankedListTests {
    func check(_ list: RankedList, _ model: [UInt32]) {
        #expect(list.count == model.count)
        #expect(list.ordered() == model)
        for (r, h) in model.enumerated() where r % 7 == 0 || r == model.count - 1 {
            #expect(list.rank(of: h) == r)
            #expect(list.handle(at: r) == h)
        }
        // All ranks in one pass, as the learner takes them when a step starts.
        var ranks = [Int32](repeating: -1, count: Int(model.max() ?? 0) + 1)
        ranks.withUnsafeMutableBufferPointer { list.writeRanks(into: $0.baseAddress!) }
        #expect(model.enumerated().allSatisfy { ranks[Int($0.element)] == Int32($0.offset) })
    }

    @Test("random inserts, moves and removals match an array", arguments: [1 as UInt64, 2, 3])
    func differential(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let list = RankedList()
        var model: [UInt32] = []
        var free: [UInt32] = []
        var next: UInt32 = 0
        for round in 0..<12_000 {
            let phase = round / 3000   // grow, churn, shrink, regrow
            let roll = Int.random(in: 0..<10, using: &rng)
            if model.isEmpty || (phase != 2 && roll < 4) || (phase == 2 && roll < 1) {
                let h = free.popLast() ?? { next += 1; return next - 1 }()
                let r = roll % 2 == 0 ? model.count : Int.random(in: 0...model.count, using: &rng)
                list.insert(h, at: r)
                model.insert(h, at: r)
            } else if roll < 7 {
                let i = Int.random(in: 0..<model.count, using: &rng)
                let h = model.remove(at: i)
                // Short moves (within a leaf) as often as long ones.
                let r = roll == 4 ? max(0, min(model.count, i + Int.random(in: -20...20, using: &rng)))
                                  : Int.random(in: 0...model.count, using: &rng)
                model.insert(h, at: r)
                #expect(list.rank(of: h) == i)
                list.move(h, from: i, to: r)
            } else {
                let i = Int.random(in: 0..<model.count, using: &rng)
                let h = model.remove(at: i)
                list.remove(h)
                free.append(h)
                #expect(!list.contains(h))
            }
            if round % 500 == 250 && model.count > 10 {
                // A step's forgotten chunks: a batch from anywhere, taken out in one pass.
                var batch: [UInt32] = []
                for _ in 0..<Int.random(in: 1...10, using: &rng) {
                    let h = model[Int.random(in: 0..<model.count, using: &rng)]
                    if !batch.contains(h) { batch.append(h) }
                }
                list.remove(batch)
                model.removeAll { batch.contains($0) }
                free.append(contentsOf: batch)
                #expect(batch.allSatisfy { !list.contains($0) })
                check(list, model)
            }
            if round % 997 == 0 { check(list, model) }
        }
        check(list, model)
        while let h = model.popLast() { list.remove(h) }
        check(list, model)
        list.append(5)
        check(list, [5])
    }
}
