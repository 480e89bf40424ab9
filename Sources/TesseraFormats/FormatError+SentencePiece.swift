// FormatError+SentencePiece: TesseraSentencePiece's errors as FormatErrors, so a broken `.model` file reads like
// every other loader's error (`FILE: at FIELD: problem. Fix: …`).
//
// Kinds: wire-format problems (truncated data, bad varints, wire types, lengths) are `.syntax`; UTF-8 and
// SentencePiece's own checks (empty or duplicate pieces, no `<unk>`…) are `.invalidValue`; `.unsupported` and
// `.unreadable` map to themselves. Complexity: O(1).

import TesseraSentencePiece

extension FormatError {
    /// `error` attributed to `file` (or to the file the error already names).
    init(_ error: SentencePieceError, file: String) {
        let kind: Kind
        switch error.kind {
        case .truncated, .malformedVarint, .unexpectedWireType, .badLength: kind = .syntax
        case .invalidUTF8, .invalidValue: kind = .invalidValue
        case .unsupported: kind = .unsupported
        case .io: kind = .unreadable
        }
        let location: Location
        switch (error.field, error.byteOffset) {
        case let (field?, offset?): location = .field("\(field) (byte offset \(offset))")
        case let (field?, nil): location = .field(field)
        case let (nil, offset?): location = .byteOffset(offset)
        case (nil, nil): location = .file
        }
        self.init(kind, file: error.file ?? file, at: location, error.problem, fix: error.fix)
    }
}
