// JSONErrors: turns Foundation's `DecodingError` into a `FormatError` that names the file and the JSON
// field path (`model.merges[3]`, `pre_tokenizer.pretokenizers[0].behavior`).
//
// Invariant: the path uses `.name` for object keys and `[n]` for array indices, from the root.
// Complexity: O(path length).

import Foundation

enum JSONErrors {
    /// The dotted path of a coding path.
    static func path(_ codingPath: [any CodingKey], appending last: (any CodingKey)? = nil) -> String {
        var s = ""
        for key in codingPath + (last.map { [$0] } ?? []) {
            if let i = key.intValue, key.stringValue == "Index \(i)" || key.stringValue == "\(i)" {
                s += "[\(i)]"
            } else {
                s += s.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return s.isEmpty ? "(top level)" : s
    }

    static func convert(_ error: DecodingError, file: String, fix: String) -> FormatError {
        switch error {
        case .keyNotFound(let key, let context):
            return FormatError(.syntax, file: file, at: .field(path(context.codingPath, appending: key)),
                               "the required field is missing", fix: fix)
        case .typeMismatch(let type, let context):
            return FormatError(.syntax, file: file, at: .field(path(context.codingPath)),
                               "the value has the wrong type (expected \(describe(type)))", fix: fix)
        case .valueNotFound(let type, let context):
            return FormatError(.syntax, file: file, at: .field(path(context.codingPath)),
                               "the value is null (expected \(describe(type)))", fix: fix)
        case .dataCorrupted(let context):
            let underlying = context.underlyingError.map { ": \(($0 as NSError).userInfo[NSDebugDescriptionErrorKey] ?? $0)" } ?? ""
            if context.codingPath.isEmpty {
                return FormatError(.syntax, file: file, "not valid JSON (\(context.debugDescription)\(underlying))",
                                   fix: "the file is truncated or not JSON; re-download it")
            }
            return FormatError(.syntax, file: file, at: .field(path(context.codingPath)),
                               "\(context.debugDescription)\(underlying)", fix: fix)
        @unknown default:
            return FormatError(.syntax, file: file, "\(error)", fix: fix)
        }
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is UInt32.Type, is Int.Type: return "an integer"
        case is Double.Type: return "a number"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return name
        }
    }
}

/// A coding key for field paths built by hand (`Sequence` children, merges entries).
struct PathKey: CodingKey {
    var stringValue: String
    var intValue: Int?
    init(stringValue: String) { self.stringValue = stringValue; intValue = nil }
    init(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}
