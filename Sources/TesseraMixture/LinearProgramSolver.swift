// LinearProgramSolver: the small LP interface mixture inference needs — grow a minimisation LP by
// columns and rows, re-solve warm, read the primal solution. HiGHS implements it (HiGHSSolver); another
// simplex code (Clp's C API, Debian's coinor-libclp) would implement the same five calls.
// Invariant: column and row indices are dense and stable, in the order added.

/// One constraint row: lower ≤ Σ values[k] · x[columns[k]] ≤ upper.
public struct LinearRow: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var columns: [Int32]
    public var values: [Double]
    public init(lower: Double, upper: Double, columns: [Int32], values: [Double]) {
        self.lower = lower
        self.upper = upper
        self.columns = columns
        self.values = values
    }
}

/// The optimum of the current LP.
public struct LinearSolution: Sendable {
    /// Value of every column, in order.
    public var columns: [Double]
    public var objective: Double
    /// Simplex iterations of this solve (warm starts make later solves short).
    public var iterations: Int
    public init(columns: [Double], objective: Double, iterations: Int) {
        self.columns = columns
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
    /// Adds columns with objective coefficients and bounds, and no matrix entries.
    func addColumns(costs: [Double], lower: [Double], upper: [Double]) throws
    /// Adds rows over existing columns.
    func addRows(_ rows: [LinearRow]) throws
    /// Solves to optimality from the last basis.
    /// - Throws: `MixtureError.solverFailed` when the status is not optimal.
    func solve() throws -> LinearSolution
}
