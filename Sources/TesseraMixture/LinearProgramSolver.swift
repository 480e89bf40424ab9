// LinearProgramSolver: the small LP interface mixture inference needs — grow a minimisation LP by
// columns and rows, re-solve warm, read primal values and row duals. HiGHS implements it
// (HiGHSSolver); another simplex code (Clp's C API, Debian's coinor-libclp) would implement the same
// calls.
// Invariant: column and row indices are dense and stable, in the order added.

/// A sparse vector with bounds: a row (lower ≤ Σ values[k] · x[indices[k]] ≤ upper over columns), or a
/// column (lower ≤ x ≤ upper, with entries in rows `indices`).
public struct LinearVector: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var indices: [Int32]
    public var values: [Double]
    public init(lower: Double, upper: Double, indices: [Int32], values: [Double]) {
        self.lower = lower
        self.upper = upper
        self.indices = indices
        self.values = values
    }
}

/// The optimum of the current LP.
public struct LinearSolution: Sendable {
    /// Value of every column, in order.
    public var columns: [Double]
    /// Dual value of every row, in order (HiGHS's sign convention: ∂objective/∂bound).
    public var rowDuals: [Double]
    /// Activity (Σ values · x) of every row, in order; empty when the solver does not report it.
    public var rowValues: [Double]
    public var objective: Double
    /// Simplex iterations of this solve (warm starts make later solves short).
    public var iterations: Int
    public init(columns: [Double], rowDuals: [Double], rowValues: [Double] = [], objective: Double, iterations: Int) {
        self.columns = columns
        self.rowDuals = rowDuals
        self.rowValues = rowValues
        self.objective = objective
        self.iterations = iterations
    }
}

/// A minimisation LP solver that keeps its model between solves (warm starts).
public protocol LinearProgramSolver: AnyObject {
    /// The value meaning "no bound".
    var infinity: Double { get }
    var columnCount: Int { get }
    var rowCount: Int { get }
    /// Adds columns: objective coefficients, bounds and entries in existing rows.
    func addColumns(costs: [Double], _ columns: [LinearVector]) throws
    /// Adds rows over existing columns.
    func addRows(_ rows: [LinearVector]) throws
    /// Deletes the rows at `indices` (ascending); the rows after them move up. Rows whose slack is basic
    /// (inactive at the last optimum) leave that basis valid, so the next solve still starts warm.
    func deleteRows(_ indices: [Int32]) throws
    /// Solves to optimality from the last basis.
    /// - Throws: `MixtureError.solverFailed` when the status is not optimal.
    func solve() throws -> LinearSolution
}
