// GGUFReader: a bounds-checked reader of the GGUF container's header and metadata (llama.cpp's
// gguf.cpp / ggml docs/gguf.md): magic "GGUF", u32 version (2 or 3), u64 tensor count, u64 key-value count,
// then key-value pairs `string key, u32 type, value`. Strings are `u64 length + UTF-8 bytes` (no NUL);
// arrays are `u32 element type, u64 count, elements`. All little-endian. Tensor infos and data that follow
// the metadata are never read, so a multi-gigabyte model file costs only its metadata (the file is mapped,
// not read).
//
// Value types: 0 u8, 1 i8, 2 u16, 3 i16, 4 u32, 5 i32, 6 f32, 7 bool, 8 string, 9 array, 10 u64, 11 i64, 12 f64.
//
// Invariant: every read is checked against the buffer's end; a truncated or corrupt file is a
// `FormatError` naming the byte offset, never a crash or a huge allocation (counts are checked against
// the bytes that remain before anything is reserved).
// Complexity: O(metadata size).

import Foundation

/// Parsed GGUF metadata: values are kept as offsets into the file's bytes and decoded on demand.
struct GGUFMetadata {
    enum Value {
        case unsigned(UInt64)
        case signed(Int64)
        case float(Double)
        case bool(Bool)
        case string(Range<Int>)
        /// An array: element type, count, offset of the first element.
        case array(elementType: UInt32, count: Int, start: Int)
    }

    let file: String
    let version: UInt32
    var values: [String: (value: Value, offset: Int)] = [:]

    static let typeNames = ["uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "bool", "string", "array",
                            "uint64", "int64", "float64"]
    static func typeName(_ t: UInt32) -> String { t < typeNames.count ? typeNames[Int(t)] : "type \(t)" }

    /// Parses the header and all key-value pairs of `bytes`.
    init(_ bytes: UnsafeRawBufferPointer, file: String) throws {
        self.file = file
        self.bytesRef = bytes
        var r = GGUFCursor(bytes: bytes, file: file)
        let magic = try r.take(4)
        guard bytes[magic].elementsEqual("GGUF".utf8) else {
            throw FormatError(.unknownFormat, file: file, at: .byteOffset(0),
                              "not a GGUF file (the first bytes are \"\(showBytes(bytes[magic]))\", not \"GGUF\")",
                              fix: "give a .gguf file written by llama.cpp")
        }
        let version = try r.u32()
        if version > 0xFFFF && version.byteSwapped <= 3 {
            throw FormatError(.unsupported, file: file, at: .byteOffset(4), "the file is a big-endian GGUF",
                              fix: "use the little-endian file (llama.cpp's default)")
        }
        guard version == 2 || version == 3 else {
            throw FormatError(.unsupported, file: file, at: .byteOffset(4), "GGUF version \(version) is not supported (only 2 and 3 are)",
                              fix: version < 2 ? "convert the file with a current llama.cpp (convert_hf_to_gguf.py)" : "update Tessera")
        }
        self.version = version
        _ = try r.u64()   // tensor count: tensor infos follow the metadata and are not read
        let kvCount = try r.u64()
        // Each pair takes at least 8 (key length) + 4 (type) + 1 bytes.
        guard kvCount <= UInt64(r.remaining / 13) else {
            throw FormatError(.syntax, file: file, at: .byteOffset(16),
                              "the header claims \(kvCount) metadata entries, more than the file can hold", fix: "the file is corrupt")
        }
        for _ in 0..<Int(kvCount) {
            let keyOffset = r.position
            let keyRange = try r.string()
            let key = String(decoding: bytes[keyRange], as: UTF8.self)
            do {
                let type = try r.u32()
                let value = try r.value(type: type, depth: 0)
                values[key] = (value, keyOffset)
            } catch var error as FormatError {
                error.problem += " (in the value of key \(key.debugDescription), which starts at byte offset \(keyOffset))"
                throw error
            }
        }
    }

    func string(_ key: String) throws -> String? {
        guard let (value, offset) = values[key] else { return nil }
        guard case .string(let range) = value else {
            throw FormatError(.invalidValue, file: file, at: .field(key), "expected a string (entry at byte offset \(offset))",
                              fix: "the file is corrupt or from an incompatible converter")
        }
        return range.isEmpty ? "" : String(decoding: bytesRef[range], as: UTF8.self)
    }

    /// The parsed bytes; valid only while the buffer given to `init` is (the loader keeps both in one scope).
    let bytesRef: UnsafeRawBufferPointer

    /// The byte ranges of an array of strings.
    func stringArray(_ key: String) throws -> [Range<Int>]? {
        guard let (value, _) = values[key] else { return nil }
        guard case .array(let elementType, let count, let start) = value, elementType == 8 else {
            throw FormatError(.invalidValue, file: file, at: .field(key), "expected an array of strings",
                              fix: "the file is corrupt or from an incompatible converter")
        }
        var r = GGUFCursor(bytes: bytesRef, file: file)
        r.position = start
        var out: [Range<Int>] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try r.string()) }
        return out
    }

    /// A scalar integer (any integer type).
    func integer(_ key: String) throws -> Int64? {
        guard let (value, offset) = values[key] else { return nil }
        switch value {
        case .unsigned(let u) where u <= UInt64(Int64.max): return Int64(u)
        case .signed(let s): return s
        default:
            throw FormatError(.invalidValue, file: file, at: .field(key), "expected an integer (entry at byte offset \(offset))",
                              fix: "the file is corrupt or from an incompatible converter")
        }
    }

    /// A scalar bool.
    func bool(_ key: String) throws -> Bool? {
        guard let (value, offset) = values[key] else { return nil }
        guard case .bool(let b) = value else {
            throw FormatError(.invalidValue, file: file, at: .field(key), "expected a bool (entry at byte offset \(offset))",
                              fix: "the file is corrupt or from an incompatible converter")
        }
        return b
    }

    /// An array of float32 values.
    func floatArray(_ key: String) throws -> [Float]? {
        guard let (value, _) = values[key] else { return nil }
        guard case .array(let elementType, let count, let start) = value, elementType == 6 else {
            throw FormatError(.invalidValue, file: file, at: .field(key), "expected an array of float32",
                              fix: "the file is corrupt or from an incompatible converter")
        }
        return (0..<count).map {
            Float(bitPattern: UInt32(littleEndian: bytesRef.loadUnaligned(fromByteOffset: start + 4 * $0, as: UInt32.self)))
        }
    }

    /// An array of integers (any integer element type).
    func integerArray(_ key: String) throws -> [Int64]? {
        guard let (value, _) = values[key] else { return nil }
        guard case .array(let elementType, let count, let start) = value, [0, 1, 2, 3, 4, 5, 10, 11].contains(elementType) else {
            throw FormatError(.invalidValue, file: file, at: .field(key), "expected an array of integers",
                              fix: "the file is corrupt or from an incompatible converter")
        }
        var r = GGUFCursor(bytes: bytesRef, file: file)
        r.position = start
        var out: [Int64] = []
        out.reserveCapacity(count)
        for _ in 0..<count {
            switch try r.value(type: elementType, depth: 1) {
            case .unsigned(let u): out.append(Int64(truncatingIfNeeded: u))
            case .signed(let s): out.append(s)
            default: out.append(0)
            }
        }
        return out
    }
}

/// A bounds-checked little-endian reader.
struct GGUFCursor {
    let bytes: UnsafeRawBufferPointer
    let file: String
    var position = 0

    init(bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    var remaining: Int { bytes.count - position }

    func truncated(_ what: String, need: Int) -> FormatError {
        FormatError(.syntax, file: file, at: .byteOffset(position),
                    "the file ends while reading \(what) (\(need) byte\(need == 1 ? "" : "s") needed, \(remaining) left)",
                    fix: "the file is truncated; download or copy it again")
    }

    mutating func take(_ n: Int, what: String = "the header") throws -> Range<Int> {
        guard n >= 0, n <= remaining else { throw truncated(what, need: n) }
        defer { position += n }
        return position..<(position + n)
    }

    mutating func u32() throws -> UInt32 {
        let r = try take(4, what: "a 32-bit value")
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: r.lowerBound, as: UInt32.self))
    }

    mutating func u64() throws -> UInt64 {
        let r = try take(8, what: "a 64-bit value")
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: r.lowerBound, as: UInt64.self))
    }

    mutating func string() throws -> Range<Int> {
        let at = position
        let n = try u64()
        guard n <= UInt64(remaining) else {
            position = at
            throw FormatError(.syntax, file: file, at: .byteOffset(at),
                              "a string claims \(n) bytes but only \(remaining - 8) remain",
                              fix: "the file is truncated or corrupt; download or copy it again")
        }
        return try take(Int(n), what: "a string")
    }

    /// Reads one value of GGUF type `type`; arrays are skipped over and returned as (type, count, start).
    mutating func value(type: UInt32, depth: Int) throws -> GGUFMetadata.Value {
        switch type {
        case 0: let r = try take(1, what: "a uint8"); return .unsigned(UInt64(bytes[r.lowerBound]))
        case 1: let r = try take(1, what: "an int8"); return .signed(Int64(Int8(bitPattern: bytes[r.lowerBound])))
        case 2: let r = try take(2, what: "a uint16"); return .unsigned(UInt64(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: r.lowerBound, as: UInt16.self))))
        case 3: let r = try take(2, what: "an int16"); return .signed(Int64(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: r.lowerBound, as: Int16.self))))
        case 4: return .unsigned(UInt64(try u32()))
        case 5: return .signed(Int64(Int32(bitPattern: try u32())))
        case 6: return .float(Double(Float(bitPattern: try u32())))
        case 7:
            let r = try take(1, what: "a bool")
            return .bool(bytes[r.lowerBound] != 0)
        case 8: return .string(try string())
        case 9:
            guard depth < 4 else {
                throw FormatError(.syntax, file: file, at: .byteOffset(position), "arrays are nested too deeply", fix: "the file is corrupt")
            }
            let at = position
            let elementType = try u32()
            let count = try u64()
            guard elementType <= 12 else {
                throw FormatError(.syntax, file: file, at: .byteOffset(at), "unknown array element type \(elementType)",
                                  fix: "the file is corrupt or newer than this reader")
            }
            // The fewest bytes one element can take (a string is at least its 8-byte length, an array 12).
            let minimum: UInt64 = [1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8][Int(elementType)]
            guard count <= UInt64(remaining) / minimum else {
                throw FormatError(.syntax, file: file, at: .byteOffset(at),
                                  "an array claims \(count) elements of type \(GGUFMetadata.typeName(elementType)), more than the \(remaining) bytes left can hold",
                                  fix: "the file is truncated or corrupt; download or copy it again")
            }
            let start = position
            let fixed: [Int] = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8]
            if fixed[Int(elementType)] > 0 {
                _ = try take(Int(count) * fixed[Int(elementType)], what: "an array")
            } else {
                for _ in 0..<Int(count) { _ = try value(type: elementType, depth: depth + 1) }
            }
            return .array(elementType: elementType, count: Int(count), start: start)
        case 10: return .unsigned(try u64())
        case 11: return .signed(Int64(bitPattern: try u64()))
        case 12: return .float(Double(bitPattern: try u64()))
        default:
            throw FormatError(.syntax, file: file, at: .byteOffset(position - 4), "unknown value type \(type)",
                              fix: "the file is corrupt or newer than this reader")
        }
    }
}
