// HiGHSSolver: the HiGHS LP solver (Huangfu & Hall; github.com/ERGO-Code/HiGHS, MIT) through its C API
// (highs_c_api.h), loaded with dlopen at run time so that Tessera builds and runs everything else
// without it. `make deps` installs libhighs.so.1 from the pinned highspy 1.15.1 wheel.
//
// Search order: $TESSERA_HIGHS_LIBRARY (only that path, when set), then libhighs.so.1 and libhighs.so by
// the dynamic loader's path, then /usr/local/lib (where `make deps` puts it; not every loader cache
// lists it). Each C function is declared as a @convention(c) type matching the header with HighsInt =
// Int32, which `Highs_getSizeofHighsInt` confirms before anything else is called.
// Warm starts: rows and columns added to a solved model keep its basis (new rows enter with basic
// slacks), so each re-solve of the lazy loop starts from the last optimum; deleting rows whose slack is
// basic (Highs_deleteRowsBySet, for row ageing) keeps it too (a test checks the re-solve takes no
// iteration); presolve is off because it would discard that basis.
// Complexity: that of dual/primal simplex on the current LP; the wrapper copies O(nonzeros) per call.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The HiGHS C API functions used here, resolved from one loaded library.
public final class HiGHSLibrary: @unchecked Sendable {
    typealias Create = @convention(c) () -> UnsafeMutableRawPointer?
    typealias Destroy = @convention(c) (UnsafeMutableRawPointer?) -> Void
    typealias SetBool = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int32) -> Int32
    typealias SetDouble = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Double) -> Int32
    typealias SetString = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Int32
    typealias GetDouble = @convention(c) (UnsafeMutableRawPointer?) -> Double
    typealias GetInt = @convention(c) (UnsafeMutableRawPointer?) -> Int32
    typealias AddCols = @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<Double>?, UnsafePointer<Double>?,
                                        UnsafePointer<Double>?, Int32, UnsafePointer<Int32>?, UnsafePointer<Int32>?,
                                        UnsafePointer<Double>?) -> Int32
    typealias AddRows = @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<Double>?, UnsafePointer<Double>?, Int32,
                                        UnsafePointer<Int32>?, UnsafePointer<Int32>?, UnsafePointer<Double>?) -> Int32
    typealias GetSolution = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?,
                                            UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?) -> Int32
    typealias DeleteBySet = @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<Int32>?) -> Int32
    typealias GetIntInfo = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, UnsafeMutablePointer<Int32>?) -> Int32
    typealias Version = @convention(c) () -> UnsafePointer<CChar>?

    /// The file that was loaded.
    public let path: String
    /// HiGHS's version string.
    public let version: String
    let create: Create
    let destroy: Destroy
    let setBool: SetBool
    let setDouble: SetDouble
    let setString: SetString
    /// Highs_setOptionValue: any option from its text value.
    let setOption: SetString
    let getInfinity: GetDouble
    let addCols: AddCols
    let addRows: AddRows
    let run: GetInt
    let getModelStatus: GetInt
    let getSolution: GetSolution
    let getObjectiveValue: GetDouble
    let getIntInfo: GetIntInfo
    let deleteRowsBySet: DeleteBySet
    let getNumCol: GetInt
    let getNumRow: GetInt

    /// The environment variable naming the library file.
    public static let environmentVariable = "TESSERA_HIGHS_LIBRARY"

    /// The candidates tried for `environment` (the process environment by default).
    public static func candidates(environment: [String: String]) -> [String] {
        if let explicit = environment[environmentVariable], !explicit.isEmpty { return [explicit] }
        return ["libhighs.so.1", "libhighs.so", "/usr/local/lib/libhighs.so.1", "/usr/local/lib/libhighs.so"]
    }

    /// Loads HiGHS from the first candidate that opens.
    /// - Parameter environment: where `TESSERA_HIGHS_LIBRARY` is looked up (nil: the process environment).
    /// - Throws: `MixtureError.solverLibraryMissing` naming the paths tried and the fix;
    ///   `.solverLibraryUnusable` for a library without the C API or with 64-bit HighsInt.
    public static func load(environment: [String: String]? = nil) throws -> HiGHSLibrary {
        let env = environment ?? currentEnvironment()
        let tried = candidates(environment: env)
        var reason = "not found"
        for path in tried {
            if let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) {
                return try HiGHSLibrary(handle: handle, path: path)
            }
            if let message = dlerror() { reason = String(cString: message) }
        }
        throw MixtureError.solverLibraryMissing(tried: tried, reason: reason)
    }

    static func currentEnvironment() -> [String: String] {
        guard let value = getenv(environmentVariable) else { return [:] }
        return [environmentVariable: String(cString: value)]
    }

    private init(handle: UnsafeMutableRawPointer, path: String) throws {
        self.path = path
        func symbol<T>(_ name: String, _: T.Type) throws -> T {
            guard let address = dlsym(handle, name) else {
                throw MixtureError.solverLibraryUnusable(path: path, problem: "it has no \(name) (not a HiGHS C API library)")
            }
            return unsafeBitCast(address, to: T.self)
        }
        let sizeOfInt = try symbol("Highs_getSizeofHighsInt", GetInt.self)
        let createFunction = try symbol("Highs_create", Create.self)
        let destroyFunction = try symbol("Highs_destroy", Destroy.self)
        create = createFunction
        destroy = destroyFunction
        let probe = createFunction()
        let intSize = sizeOfInt(probe)
        destroyFunction(probe)
        guard intSize == 4 else {
            throw MixtureError.solverLibraryUnusable(path: path, problem: "its HighsInt has \(intSize) bytes, Tessera expects 4")
        }
        setBool = try symbol("Highs_setBoolOptionValue", SetBool.self)
        setDouble = try symbol("Highs_setDoubleOptionValue", SetDouble.self)
        setString = try symbol("Highs_setStringOptionValue", SetString.self)
        setOption = try symbol("Highs_setOptionValue", SetString.self)
        getInfinity = try symbol("Highs_getInfinity", GetDouble.self)
        addCols = try symbol("Highs_addCols", AddCols.self)
        addRows = try symbol("Highs_addRows", AddRows.self)
        run = try symbol("Highs_run", GetInt.self)
        getModelStatus = try symbol("Highs_getModelStatus", GetInt.self)
        getSolution = try symbol("Highs_getSolution", GetSolution.self)
        getObjectiveValue = try symbol("Highs_getObjectiveValue", GetDouble.self)
        getIntInfo = try symbol("Highs_getIntInfoValue", GetIntInfo.self)
        deleteRowsBySet = try symbol("Highs_deleteRowsBySet", DeleteBySet.self)
        getNumCol = try symbol("Highs_getNumCol", GetInt.self)
        getNumRow = try symbol("Highs_getNumRow", GetInt.self)
        let versionFunction = try symbol("Highs_version", Version.self)
        version = versionFunction().map { String(cString: $0) } ?? "unknown"
    }
}

/// A HiGHS model being grown and re-solved (one per inference run; not thread-safe).
public final class HiGHSSolver: LinearProgramSolver {
    public let library: HiGHSLibrary
    private let highs: UnsafeMutableRawPointer
    public let infinity: Double

    /// - Parameters:
    ///   - library: the loaded library (`HiGHSLibrary.load()`).
    ///   - feasibilityTolerance: HiGHS's primal and dual feasibility tolerance.
    ///   - options: further HiGHS options as (name, text value), applied last.
    public init(library: HiGHSLibrary, feasibilityTolerance: Double = 1e-7, options: [(String, String)] = HiGHSSolver.environmentOptions()) throws {
        guard let h = library.create() else { throw MixtureError.solverFailed("Highs_create returned NULL") }
        _ = library.setBool(h, "output_flag", 0)
        _ = library.setString(h, "presolve", "off")
        _ = library.setString(h, "solver", "simplex")
        // Devex pricing: exact dual steepest-edge weights cost a solve per new row after every round
        // (measured 2.6× slower on the mixture LP).
        _ = library.setOption(h, "simplex_dual_edge_weight_strategy", "1")
        _ = library.setDouble(h, "primal_feasibility_tolerance", feasibilityTolerance)
        _ = library.setDouble(h, "dual_feasibility_tolerance", feasibilityTolerance)
        for (name, value) in options where library.setOption(h, name, value) < 0 {
            library.destroy(h)
            throw MixtureError.invalidParameter(name: "HiGHS option \(name)", problem: "HiGHS rejects the value \(value.debugDescription)",
                                                fix: "see the HiGHS options reference (highs.dev)")
        }
        self.library = library
        highs = h
        infinity = library.getInfinity(h)
    }

    /// Options from `TESSERA_HIGHS_OPTIONS` ("name=value,name=value"), for experiments with the solver.
    public static func environmentOptions() -> [(String, String)] {
        guard let raw = getenv("TESSERA_HIGHS_OPTIONS") else { return [] }
        return String(cString: raw).split(separator: ",").compactMap { item in
            let parts = item.split(separator: "=", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        }
    }

    deinit { library.destroy(highs) }

    public var columnCount: Int { Int(library.getNumCol(highs)) }
    public var rowCount: Int { Int(library.getNumRow(highs)) }

    public func addColumns(costs: [Double], _ columns: [LinearVector]) throws {
        guard !columns.isEmpty else { return }
        let (starts, index, value, lower, upper) = Self.compressed(columns)
        let status = library.addCols(highs, Int32(columns.count), costs, lower, upper, Int32(index.count), starts, index, value)
        if status < 0 { throw MixtureError.solverFailed("Highs_addCols returned \(status)") }
    }

    public func addRows(_ rows: [LinearVector]) throws {
        guard !rows.isEmpty else { return }
        let (starts, index, value, lower, upper) = Self.compressed(rows)
        let status = library.addRows(highs, Int32(rows.count), lower, upper, Int32(index.count), starts, index, value)
        if status < 0 { throw MixtureError.solverFailed("Highs_addRows returned \(status)") }
    }

    public func deleteRows(_ indices: [Int32]) throws {
        guard !indices.isEmpty else { return }
        let status = library.deleteRowsBySet(highs, Int32(indices.count), indices)
        if status < 0 { throw MixtureError.solverFailed("Highs_deleteRowsBySet returned \(status)") }
    }

    /// Vectors in HiGHS's compressed layout (starts, indices, values) plus their bounds.
    static func compressed(_ vectors: [LinearVector]) -> ([Int32], [Int32], [Double], [Double], [Double]) {
        var starts: [Int32] = [], index: [Int32] = [], value: [Double] = [], lower: [Double] = [], upper: [Double] = []
        starts.reserveCapacity(vectors.count)
        lower.reserveCapacity(vectors.count)
        upper.reserveCapacity(vectors.count)
        for v in vectors {
            starts.append(Int32(index.count))
            index.append(contentsOf: v.indices)
            value.append(contentsOf: v.values)
            lower.append(v.lower)
            upper.append(v.upper)
        }
        return (starts, index, value, lower, upper)
    }

    public func solve() throws -> LinearSolution {
        let status = library.run(highs)
        let model = library.getModelStatus(highs)
        guard status >= 0, model == 7 else {
            throw MixtureError.solverFailed("Highs_run returned \(status), model status \(model) (\(Self.statusName(model)))")
        }
        let n = columnCount, m = rowCount
        var x = [Double](repeating: 0, count: n), dual = x
        var rowValue = [Double](repeating: 0, count: m), rowDual = rowValue
        _ = library.getSolution(highs, &x, &dual, &rowValue, &rowDual)
        var iterations: Int32 = 0
        _ = library.getIntInfo(highs, "simplex_iteration_count", &iterations)
        return LinearSolution(columns: x, rowDuals: rowDual, rowValues: rowValue, objective: library.getObjectiveValue(highs), iterations: Int(iterations))
    }

    static func statusName(_ status: Int32) -> String {
        let names = ["not set", "load error", "model error", "presolve error", "solve error", "postsolve error", "model empty",
                     "optimal", "infeasible", "unbounded or infeasible", "unbounded", "objective bound", "objective target",
                     "time limit", "iteration limit", "unknown"]
        return status >= 0 && Int(status) < names.count ? names[Int(status)] : "status \(status)"
    }
}
