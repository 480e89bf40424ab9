// SentencePieceError: the one error type of TesseraSentencePiece.
//
// Every error says what is wrong, where (a byte offset into the `.model` file, a proto field path such as
// `pieces[12].piece` or `trainer_spec.model_type`, or both) and what to do about it. The loader fills in the
// file; TesseraFormats turns these errors into its `FormatError` so the CLI prints one consistent line.
//
// Invariant: `description` starts with the file (when known) and the location, and ends with the fix when
// one is known. Complexity: O(1) apart from string formatting.

/// A problem reading, checking or writing a SentencePiece model.
public struct SentencePieceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is (for callers that branch on it; the message is for people).
    public enum Kind: String, Sendable, Equatable {
        /// The data ends in the middle of a tag, a value or a length-delimited field.
        case truncated
        /// A varint longer than 10 bytes, or one whose value does not fit 64 bits.
        case malformedVarint
        /// A wire type that is invalid (6, 7), a deprecated group (3, 4), or not the one the field is declared with.
        case unexpectedWireType
        /// A length or a fixed-size field that does not fit (a length beyond the data, an inconsistent blob).
        case badLength
        /// A string field (a piece, a symbol name) that is not valid UTF-8.
        case invalidUTF8
        /// A well-formed value that SentencePiece rejects: an empty or duplicate piece, no `<unk>`, a bad byte piece…
        case invalidValue
        /// A valid model feature that Tessera does not implement.
        case unsupported
        /// The file could not be read or written.
        case io
    }

    public var kind: Kind
    /// The file the model came from or goes to; nil for in-memory data.
    public var file: String?
    /// Byte offset into the serialized model, when the problem has one.
    public var byteOffset: Int?
    /// The proto field path (`pieces[12].piece`, `normalizer_spec.precompiled_charsmap`), when known.
    public var field: String?
    /// What is wrong, in one sentence.
    public var problem: String
    /// What to do about it; empty when nothing but "use a different file" applies.
    public var fix: String

    public init(_ kind: Kind, file: String? = nil, byteOffset: Int? = nil, field: String? = nil, _ problem: String,
                fix: String = "") {
        self.kind = kind
        self.file = file
        self.byteOffset = byteOffset
        self.field = field
        self.problem = problem
        self.fix = fix
    }

    /// The same error attributed to `file`.
    public func inFile(_ file: String) -> SentencePieceError {
        var copy = self
        copy.file = file
        return copy
    }

    public var description: String {
        var s = file.map { "\($0): " } ?? ""
        switch (field, byteOffset) {
        case let (field?, offset?): s += "at \(field) (byte offset \(offset)): "
        case let (field?, nil): s += "at \(field): "
        case let (nil, offset?): s += "at byte offset \(offset): "
        case (nil, nil): break
        }
        s += problem
        if !fix.isEmpty { s += ". Fix: " + fix }
        return s
    }
}

extension SentencePieceError {
    /// Shows bytes for a message: valid UTF-8 as a quoted string, anything else as hex.
    static func show<C: Collection<UInt8>>(_ bytes: C, limit: Int = 40) -> String {
        let prefix = Array(bytes.prefix(limit))
        let more = bytes.count > limit ? "…" : ""
        if let s = String(validating: prefix, as: UTF8.self) { return s.debugDescription + more }
        return "<" + prefix.map { String($0, radix: 16) }.joined(separator: " ") + more + ">"
    }
}
