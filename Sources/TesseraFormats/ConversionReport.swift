// ConversionReport: what a writer did and everything the target format could not carry.
//
// Three severities, so that `tessera convert --strict` can fail on real losses only:
// - `lost`: the written files do not give the same ids as the source for some input, or drop information
//   (ids renumbered, a normalizer or pattern that the format has no place for, unreachable tokens);
// - `sidecar`: kept, but only in Tessera's sidecar JSON next to the files, which other readers ignore
//   (a `.tiktoken` file's pattern and special tokens always live there, as they live in tiktoken's code);
// - `note`: nothing is lost; worth knowing (e.g. how merges were recovered and checked).
//
// Invariant: `isLossless` ⇔ no issue is `.lost`. Complexity: O(issues).

/// One thing the target format changed, moved to a sidecar, or dropped.
public struct ConversionIssue: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable {
        case lost, sidecar, note
    }
    public var severity: Severity
    /// One sentence, naming counts and examples.
    public var message: String

    public init(_ severity: Severity, _ message: String) {
        self.severity = severity
        self.message = message
    }

    public var description: String { "\(severity.rawValue): \(message)" }
}

/// The outcome of writing a tokenizer in some format.
public struct ConversionReport: Sendable {
    /// The target format's name (`tiktoken`, `gpt2`, `minbpe`, `tekken`, …).
    public var format: String
    /// The files written, in order.
    public var files: [String] = []
    public var issues: [ConversionIssue] = []
    /// Named durations in seconds (merge recovery, verification, writing), in the order they happened.
    public var timings: [(label: String, seconds: Double)] = []

    public init(format: String) { self.format = format }

    /// True when nothing was lost (sidecar entries and notes do not count).
    public var isLossless: Bool { !issues.contains { $0.severity == .lost } }

    public mutating func lost(_ message: String) { issues.append(ConversionIssue(.lost, message)) }
    public mutating func sidecar(_ message: String) { issues.append(ConversionIssue(.sidecar, message)) }
    public mutating func note(_ message: String) { issues.append(ConversionIssue(.note, message)) }

    /// Runs `body`, recording its wall time under `label`.
    mutating func timed<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        let result = try body()
        let elapsed = ContinuousClock.now - start
        timings.append((label, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18))
        return result
    }
}
