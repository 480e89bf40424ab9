// Thin wrappers so the algorithm files need not import Foundation for exp/log.
import Foundation

@inline(__always) func Foundation_exp(_ x: Double) -> Double { exp(x) }
@inline(__always) func Foundation_log(_ x: Double) -> Double { log(x) }
