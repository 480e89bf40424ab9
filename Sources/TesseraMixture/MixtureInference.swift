// MixtureInference: data-mixture inference from a BPE merge list (Hayase, Liu, Choi, Oh & Smith 2024,
// "Data Mixture Inference: What do BPE Tokenizers Reveal about their Training Data?", arXiv 2407.16607;
// reference code alisawuffles/tokenizer-attack, which uses Gurobi).
//
// The LP, over category weights α (pair units) and slacks v_t (per step), v_p (per pair):
//     minimise Σ_t v_t + Σ_p v_p
//     s.t.     Σ_i α_i (ĉ_i^(t)(m_t) − ĉ_i^(t)(p)) + v_t + v_p ≥ 0   for every step t and pair p ≠ m_t
//              Σ_i α_i = 1,  α, v ≥ 0
// with ĉ_i^(t)(p) = c_i^(t)(p) / Z_i: under the true mixture the listed merge was the most frequent
// pair at its step. The full LP has T × pairs rows, so rows are generated lazily: a round walks
// t = 0…T−1 keeping q(p) = Σ_i α_i ĉ_i^(t)(p) − v_p in a lazy max-heap (deltas of each step added as
// it passes), collects up to `rowsPerStep` pairs with q(p) > α·ĉ^(t)(m_t) + v_t + tolerance that are not
// rows yet, and stops at `rowsPerRound` new rows; the rows (and their new slack columns) are added and
// the LP re-solved from its last basis, until a round finds nothing. Row ageing then deletes the rows
// that are inactive at the optimum (basic slack, zero dual), which leaves that basis optimal: the LP
// stays near the binding rows instead of growing with every row ever violated, and since the α columns
// are dense in every row, that is what each simplex iteration costs. Steps whose merge occurs in no
// sample carry no information and get no rows. Byte shares: β_i ∝ α_i · bytes_i / Z_i.
// Coefficients are ĉ × `scale` (default 10⁴) so the solver's absolute tolerances bite at 10⁻¹¹ of a pair
// share rather than 10⁻⁷.
// Invariant: the returned α satisfies every (t, p) constraint up to `tolerance` (the last round found
// no violated pair), so it is an optimum of the full LP, not only of the generated rows — whichever
// rows ageing deleted on the way.
// Complexity: per round O(E_scan log H) for the events scanned and heap size H, plus the warm re-solve;
// rows grow by ≤ rowsPerRound per round and shrink by ageing.

import TesseraTraining

/// Knobs of the lazy constraint loop. The reference's are rowsPerStep 10, rowsPerRound 100, dropAfter 0.
public struct MixtureParameters: Sendable {
    /// New rows per step at most. The reference adds up to 10 competitors per step; with row ageing one
    /// (the most violated) is faster: at T = 1,000 on 30 categories 146 cheap rounds (12k rows) instead of
    /// 22 rounds that end with 146k rows, 6× less CPU time (docs/algorithms/mixture.md, Speed).
    public var rowsPerStep = 1
    /// New rows per round at most; the scan stops when reached. The reference stops at 100 (max_add);
    /// the default scans all steps every round, which gives the same optimum with far fewer re-solves
    /// (each re-solve costs O(rows) per simplex iteration), at the price of more rows.
    public var rowsPerRound = Int.max
    /// Rounds at most (the result is then flagged as not converged).
    public var maxRounds = 1_000_000
    /// A pair is violated when its priority exceeds the merge's by more than this (scaled units).
    public var tolerance = 1e-7
    /// Multiplier of the normalised counts in the LP.
    public var scale = 1e4
    /// Merges before this index are replayed but give no constraints (e.g. Llama 3's list starts with
    /// cl100k's 100,000 merges; the paper's "Llama 3*" infers from the merges added after them).
    public var firstConstrainedMerge = 0
    /// Which LP the solver is given (the optimum is the same).
    public var formulation = LPFormulation.primal
    /// Row ageing: a constraint row that has been inactive (positive slack, so its slack is basic and its
    /// dual zero) after this many consecutive solves is deleted from the LP; it is re-added if a later
    /// scan finds it violated again. 0 keeps every row (the reference's behaviour). Primal formulation
    /// only (the dual's columns are kept).
    public var dropAfter = 1
    /// The same for a row that has been tight (zero slack) at some solve; nil: `dropAfter`, 0: never
    /// (ageing is off altogether when `dropAfter` is 0). Keeping such
    /// rows longer was measured slower (docs/algorithms/mixture.md, Speed).
    public var dropAfterTight: Int? = nil
    public init() {}
}

/// The LP handed to the solver. The mixture LP is very tall (rows grow with T × competitors, columns
/// with n + slacks). Its dual swaps them: each new constraint is a new column that keeps the last basis
/// primal feasible, and the basis is only as large as the slack count; α and the slacks are then the
/// dual's row duals. Measured (docs/algorithms/mixture.md) both cost the same with HiGHS — dual simplex
/// with Devex pricing on the primal, primal simplex on the dual — so the primal is the default.
public enum LPFormulation: String, Sendable, CaseIterable {
    /// max y₀ s.t. y₀ + Σ_r a_ri y_r ≤ 0 (each category i), Σ_{r at step t} y_r ≤ 1, Σ_{r with pair p} y_r ≤ 1, y ≥ 0.
    case dual
    /// The LP as written in the paper.
    case primal
}

/// Progress of an inference run.
public struct MixtureProgress: Sendable {
    public var round: Int
    public var rows: Int
    public var columns: Int
    public var objective: Double
    /// The step where the last scan stopped (T when it went through).
    public var scannedSteps: Int
    /// Rows the last scan added, and Σ_i |Δα_i| of the last solve (2 when α jumped from one vertex of the
    /// simplex to another; small once α has settled and only the slacks are still being found).
    public var addedRows: Int
    public var alphaChange: Double
}

/// One category's result.
public struct MixtureShare: Sendable, Equatable {
    public var name: String
    /// Inferred share of the training bytes.
    public var byteShare: Double
    /// The LP weight (share of adjacent pairs).
    public var pairWeight: Double
    /// Sample size.
    public var sampleBytes: UInt64
    public var samplePairs: Int64
}

/// The inferred mixture and the LP's size.
public struct MixtureResult: Sendable {
    /// Categories in input order.
    public var shares: [MixtureShare]
    public var merges: Int
    /// Steps that may give rows: merges from `firstConstrainedMerge` on that occur in some sample.
    public var activeSteps: Int
    /// Rows of the final LP (the simplex row included).
    public var rows: Int
    public var columns: Int
    /// Most rows the LP had at any solve, and constraint rows added / deleted by ageing over the run.
    public var peakRows: Int = 0
    public var rowsAdded: Int = 0
    public var rowsDropped: Int = 0
    public var rounds: Int
    public var simplexIterations: Int
    /// Σ v at the optimum (scaled units); 0 when some mixture explains every merge.
    public var objective: Double
    public var formulation: LPFormulation
    public var converged: Bool
    public var solver: String
    /// Seconds spent scanning and in the solver.
    public var scanSeconds: Double
    public var solveSeconds: Double

    /// Shares sorted by decreasing byte share (ties by name).
    public var sorted: [MixtureShare] {
        shares.sorted { $0.byteShare != $1.byteShare ? $0.byteShare > $1.byteShare : $0.name < $1.name }
    }
}

/// Runs the lazy LP over replayed samples.
public enum MixtureInference {
    /// Infers the mixture weights of `samples`, all replayed with `merges`.
    /// - Throws: `MixtureError` for fewer than two categories, duplicate names, or a solver failure.
    public static func infer(samples: [SampleReplay], merges: ByteMergeList, solver: any LinearProgramSolver, solverName: String = "HiGHS",
                             parameters: MixtureParameters = MixtureParameters(),
                             progress: ((MixtureProgress) -> Void)? = nil) throws -> MixtureResult {
        guard samples.count >= 2 else {
            throw MixtureError.invalidParameter(name: "--category", problem: "\(samples.count) categor\(samples.count == 1 ? "y" : "ies") given",
                                                fix: "give at least two categories")
        }
        guard samples.count <= Int(UInt16.max) else {
            throw MixtureError.invalidParameter(name: "--category", problem: "\(samples.count) categories", fix: "give at most 65535")
        }
        var seen = Set<String>()
        for s in samples where !seen.insert(s.name).inserted { throw MixtureError.duplicateCategory(name: s.name) }
        guard parameters.rowsPerStep >= 1, parameters.rowsPerRound >= 1 else {
            throw MixtureError.invalidParameter(name: "rows per step/round", problem: "must be positive", fix: "use at least 1")
        }
        let problem = MixtureProblem(samples: samples, merges: merges)
        var loop = LazyLoop(problem: problem, solver: solver, parameters: parameters)
        return try loop.run(solverName: solverName, progress: progress)
    }
}

/// The state of one run of the lazy constraint loop.
struct LazyLoop {
    let problem: MixtureProblem
    let solver: any LinearProgramSolver
    let parameters: MixtureParameters
    /// Solver index of v_t per step and of v_p per pair (−1: none yet): a column of the primal LP, a row
    /// of the dual.
    var stepSlot: [Int32]
    var pairSlot: [Int32]
    /// Rows present, as t << 32 | pair.
    var rowSet = Set<UInt64>()
    var alpha: [Double]
    var stepSlack: [Double]
    var pairSlack: [Double]
    /// Slots used so far (columns of the primal LP, rows of the dual).
    var slots: Int
    /// Constraint rows of the (primal) mixture LP, the simplex row included.
    var primalRows = 0
    /// Primal LP only: the (t << 32 | pair) key of each constraint row, in solver order after the
    /// simplex row, and how many consecutive solves it has been inactive (for row ageing).
    var rowKeys: [UInt64] = []
    var rowIdle: [UInt16] = []
    var rowWasTight: [Bool] = []
    var peakRows = 0, rowsAdded = 0, rowsDropped = 0

    init(problem: MixtureProblem, solver: any LinearProgramSolver, parameters: MixtureParameters) {
        self.problem = problem
        self.solver = solver
        self.parameters = parameters
        stepSlot = [Int32](repeating: -1, count: problem.steps)
        pairSlot = [Int32](repeating: -1, count: problem.pairCount)
        alpha = [Double](repeating: 1 / Double(problem.categories), count: problem.categories)
        stepSlack = [Double](repeating: 0, count: problem.steps)
        pairSlack = [Double](repeating: 0, count: problem.pairCount)
        slots = 0
    }

    mutating func run(solverName: String, progress: ((MixtureProgress) -> Void)?) throws -> MixtureResult {
        let n = problem.categories
        let clock = ContinuousClock()
        let inf = solver.infinity
        switch parameters.formulation {
        case .primal:
            try solver.addColumns(costs: [Double](repeating: 0, count: n),
                                  [LinearVector](repeating: LinearVector(lower: 0, upper: 1, indices: [], values: []), count: n))
            try solver.addRows([LinearVector(lower: 1, upper: 1, indices: (0..<n).map { Int32($0) }, values: [Double](repeating: 1, count: n))])
        case .dual:
            try solver.addRows([LinearVector](repeating: LinearVector(lower: -inf, upper: 0, indices: [], values: []), count: n))
            try solver.addColumns(costs: [-1], [LinearVector(lower: -inf, upper: inf, indices: (0..<n).map { Int32($0) },
                                                             values: [Double](repeating: 1, count: n))])
        }
        slots = n
        primalRows = 1
        var rounds = 0, iterations = 0, objective = 0.0
        var converged = false
        var scanTime = Duration.zero, solveTime = Duration.zero
        while rounds < parameters.maxRounds {
            let scanStart = clock.now
            let (violations, stoppedAt) = scan()
            scanTime += clock.now - scanStart
            if violations.isEmpty {
                converged = true
                break
            }
            rounds += 1
            let solveStart = clock.now
            try addRows(violations)
            let solution = try solver.solve()
            solveTime += clock.now - solveStart
            iterations += solution.iterations
            objective = parameters.formulation == .primal ? solution.objective : -solution.objective
            let before = alpha
            read(solution)
            var alphaChange = 0.0
            for i in alpha.indices { alphaChange += abs(alpha[i] - before[i]) }
            peakRows = max(peakRows, primalRows)
            if parameters.dropAfter > 0 && parameters.formulation == .primal { try age(solution) }
            progress?(MixtureProgress(round: rounds, rows: primalRows, columns: slots, objective: objective, scannedSteps: stoppedAt,
                                      addedRows: violations.count, alphaChange: alphaChange))
        }
        var weights = 0.0
        for i in 0..<n { weights += alpha[i] * Double(problem.bytes[i]) / Double(problem.pairTotals[i]) }
        let shares = (0..<n).map { i in
            MixtureShare(name: problem.names[i],
                         byteShare: weights > 0 ? alpha[i] * Double(problem.bytes[i]) / Double(problem.pairTotals[i]) / weights : 0,
                         pairWeight: alpha[i], sampleBytes: problem.bytes[i], samplePairs: problem.pairTotals[i])
        }
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        let constrained = problem.active[min(parameters.firstConstrainedMerge, problem.steps)...].lazy.filter { $0 }.count
        return MixtureResult(shares: shares, merges: problem.steps, activeSteps: constrained,
                             rows: primalRows, columns: slots, peakRows: peakRows, rowsAdded: rowsAdded, rowsDropped: rowsDropped,
                             rounds: rounds, simplexIterations: iterations,
                             objective: objective, formulation: parameters.formulation, converged: converged, solver: solverName,
                             scanSeconds: seconds(scanTime), solveSeconds: seconds(solveTime))
    }

    /// Reads α, v_t and v_p from a solution: primal columns, or (dual) the negated row duals — the
    /// multipliers of the dual's ≤ rows, which HiGHS reports as ∂objective/∂bound ≤ 0 for a minimisation.
    mutating func read(_ s: LinearSolution) {
        let value: (Int) -> Double = parameters.formulation == .primal ? { s.columns[$0] } : { -s.rowDuals[$0] }
        for i in 0..<problem.categories { alpha[i] = max(0, value(i)) }
        // α comes back on the simplex up to the solver's tolerance; renormalise so shares sum to 1.
        let sum = alpha.reduce(0, +)
        if sum > 0 { for i in alpha.indices { alpha[i] /= sum } }
        for t in 0..<problem.steps where stepSlot[t] >= 0 { stepSlack[t] = max(0, value(Int(stepSlot[t]))) }
        for g in 0..<problem.pairCount where pairSlot[g] >= 0 { pairSlack[g] = max(0, value(Int(pairSlot[g]))) }
    }

    /// Row ageing: counts the solves each constraint row has been inactive and deletes those inactive for
    /// `dropAfter` solves in a row. An inactive row (activity above its bound 0 by more than the
    /// feasibility tolerance) has a basic slack, so deleting it leaves the optimal basis optimal for the
    /// smaller LP and the next round starts warm. Exactness is untouched: the loop still ends only when a
    /// scan finds no violated (t, p) of the full LP.
    mutating func age(_ s: LinearSolution) throws {
        guard s.rowValues.count == rowKeys.count + 1 else { return }
        var drop: [Int32] = []
        var kept = 0
        for k in rowKeys.indices {
            let inactive = s.rowValues[k + 1] > 1e-6
            rowIdle[k] = inactive ? rowIdle[k] &+ 1 : 0
            if !inactive { rowWasTight[k] = true }
            let patience = rowWasTight[k] ? parameters.dropAfterTight ?? parameters.dropAfter : parameters.dropAfter
            if patience > 0 && Int(rowIdle[k]) >= patience {
                drop.append(Int32(k + 1))
                rowSet.remove(rowKeys[k])
            } else {
                rowKeys[kept] = rowKeys[k]
                rowIdle[kept] = rowIdle[k]
                rowWasTight[kept] = rowWasTight[k]
                kept += 1
            }
        }
        guard !drop.isEmpty else { return }
        try solver.deleteRows(drop)
        rowKeys.removeLast(rowKeys.count - kept)
        rowIdle.removeLast(rowIdle.count - kept)
        rowWasTight.removeLast(rowWasTight.count - kept)
        primalRows -= drop.count
        rowsDropped += drop.count
    }

    /// One pass over the steps under the current solution; returns the violated (step, pair) rows found
    /// and the step where the pass stopped.
    func scan() -> (rows: [(step: Int, pair: Int)], stoppedAt: Int) {
        let n = problem.categories, steps = problem.steps, scale = parameters.scale
        let weight = (0..<n).map { scale * alpha[$0] / Double(problem.pairTotals[$0]) }
        // r = α·ĉ (scaled), q = r − v_p.
        var r = [Double](repeating: 0, count: problem.pairCount)
        for i in 0..<n where weight[i] != 0 {
            let w = weight[i]
            let pairs = problem.initialPair[i], counts = problem.initialCount[i]
            for k in pairs.indices { r[Int(pairs[k])] += w * Double(counts[k]) }
        }
        var heap = PriorityHeap()
        heap.reserve(problem.pairCount)
        for g in 0..<problem.pairCount {
            let q = r[g] - pairSlack[g]
            if q > 0 { heap.append(q, UInt32(g)) }
        }
        heap.heapify()
        var found: [(step: Int, pair: Int)] = []
        var popped: [(Double, UInt32)] = []
        var stepRows = Set<Int>()
        var stoppedAt = steps
        for t in 0..<steps {
            let m = Int(problem.mergePair[t])
            if problem.active[t], m >= 0, t >= parameters.firstConstrainedMerge {
                let threshold = r[m] + stepSlack[t] + parameters.tolerance
                popped.removeAll(keepingCapacity: true)
                stepRows.removeAll(keepingCapacity: true)
                var added = 0
                while let top = heap.top, top.priority > threshold {
                    heap.pop()
                    let g = Int(top.pair)
                    let q = r[g] - pairSlack[g]
                    // Stale: stored before the pair's count fell; re-queue it at its current value.
                    if q != top.priority {
                        // Below the current value: a fresher entry exists (every rise is pushed).
                        if q < top.priority && q > 0 { heap.push(q, top.pair) }
                        continue
                    }
                    popped.append((q, top.pair))
                    if g == m || rowSetContains(t, g) || !stepRows.insert(g).inserted { continue }
                    found.append((t, g))
                    added += 1
                    if added == parameters.rowsPerStep { break }
                }
                for (q, g) in popped { heap.push(q, g) }
            }
            if found.count >= parameters.rowsPerRound {
                stoppedAt = t
                break
            }
            for i in 0..<n where weight[i] != 0 {
                let w = weight[i]
                let start = problem.stepStart[i]
                let pairs = problem.changePair[i], deltas = problem.changeDelta[i]
                for e in start[t]..<start[t + 1] {
                    let g = Int(pairs[e])
                    let d = w * Double(deltas[e])
                    r[g] += d
                    // Falls are found lazily on pop; rises are pushed.
                    if d > 0 {
                        let q = r[g] - pairSlack[g]
                        if q > 0 { heap.push(q, UInt32(g)) }
                    }
                }
            }
        }
        return (found, stoppedAt)
    }

    @inline(__always) func rowSetContains(_ t: Int, _ g: Int) -> Bool { rowSet.contains(UInt64(t) << 32 | UInt64(g)) }

    /// Adds the constraints (t, p), after the slacks they need: in the primal LP slack columns and rows,
    /// in the dual slack rows and one column per constraint.
    mutating func addRows(_ rows: [(step: Int, pair: Int)]) throws {
        var newSlots = 0
        for (t, g) in rows {
            if stepSlot[t] < 0 { stepSlot[t] = Int32(slots + newSlots); newSlots += 1 }
            if pairSlot[g] < 0 { pairSlot[g] = Int32(slots + newSlots); newSlots += 1 }
        }
        let inf = solver.infinity
        if newSlots > 0 {
            switch parameters.formulation {
            case .primal:
                try solver.addColumns(costs: [Double](repeating: 1, count: newSlots),
                                      [LinearVector](repeating: LinearVector(lower: 0, upper: inf, indices: [], values: []), count: newSlots))
            case .dual:
                try solver.addRows([LinearVector](repeating: LinearVector(lower: -inf, upper: 1, indices: [], values: []), count: newSlots))
            }
            slots += newSlots
        }
        let n = problem.categories, scale = parameters.scale
        var vectors: [LinearVector] = []
        vectors.reserveCapacity(rows.count)
        for (t, g) in rows {
            let key = UInt64(t) << 32 | UInt64(g)
            rowSet.insert(key)
            if parameters.formulation == .primal {
                rowKeys.append(key)
                rowIdle.append(0)
                rowWasTight.append(false)
            }
            let m = Int(problem.mergePair[t])
            var indices: [Int32] = [], values: [Double] = []
            for i in 0..<n {
                let a = problem.count(pair: m, category: i, beforeStep: t) - problem.count(pair: g, category: i, beforeStep: t)
                if a != 0 {
                    indices.append(Int32(i))
                    values.append(scale * Double(a) / Double(problem.pairTotals[i]))
                }
            }
            indices.append(stepSlot[t])
            values.append(1)
            indices.append(pairSlot[g])
            values.append(1)
            vectors.append(LinearVector(lower: 0, upper: inf, indices: indices, values: values))
        }
        switch parameters.formulation {
        case .primal: try solver.addRows(vectors)
        case .dual: try solver.addColumns(costs: [Double](repeating: 0, count: vectors.count), vectors)
        }
        primalRows += rows.count
        rowsAdded += rows.count
    }
}

/// A binary max-heap of (priority, pair) in two parallel arrays.
struct PriorityHeap {
    private var priority: [Double] = []
    private var pair: [UInt32] = []

    mutating func reserve(_ n: Int) {
        priority.reserveCapacity(n)
        pair.reserveCapacity(n)
    }

    /// Appends without ordering; call `heapify` before use.
    mutating func append(_ p: Double, _ g: UInt32) {
        priority.append(p)
        pair.append(g)
    }

    mutating func heapify() {
        if priority.count > 1 {
            for i in stride(from: priority.count / 2 - 1, through: 0, by: -1) { siftDown(i) }
        }
    }

    var top: (priority: Double, pair: UInt32)? { priority.isEmpty ? nil : (priority[0], pair[0]) }

    mutating func push(_ p: Double, _ g: UInt32) {
        priority.append(p)
        pair.append(g)
        var i = priority.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            guard p > priority[parent] else { break }
            priority[i] = priority[parent]
            pair[i] = pair[parent]
            i = parent
        }
        priority[i] = p
        pair[i] = g
    }

    mutating func pop() {
        let last = priority.count - 1
        priority[0] = priority[last]
        pair[0] = pair[last]
        priority.removeLast()
        pair.removeLast()
        if !priority.isEmpty { siftDown(0) }
    }

    private mutating func siftDown(_ start: Int) {
        let count = priority.count
        let p = priority[start], g = pair[start]
        var i = start
        while true {
            var child = 2 * i + 1
            if child >= count { break }
            if child + 1 < count && priority[child + 1] > priority[child] { child += 1 }
            guard priority[child] > p else { break }
            priority[i] = priority[child]
            pair[i] = pair[child]
            i = child
        }
        priority[i] = p
        pair[i] = g
    }
}
