// Safetensors: read and write the safetensors container (huggingface/safetensors, docs "Format"):
// bytes 0–7 a little-endian u64 N; then N bytes of UTF-8 JSON mapping each tensor name to
// {"dtype", "shape" (outermost first), "data_offsets": [begin, end)} relative to the byte after the
// header, plus an optional "__metadata__" string → string map; then the raw little-endian data.
// Reading accepts F32, F16 and BF16 (widened to Float); writing emits F32 with the header padded
// with spaces to a multiple of 8 bytes, as the reference writer does, so the data is aligned.
//
// Invariant: a read tensor's element count equals the product of its shape and its byte range lies
// inside the data section; ranges do not overlap. Complexity: O(file size).

import Foundation
import TesseraFormats

/// One named float tensor.
public struct NamedTensor: Sendable, Equatable {
    public var shape: [Int]
    public var values: [Float]
    public init(shape: [Int], values: [Float]) { self.shape = shape; self.values = values }
}

/// The contents of a safetensors file.
public struct SafetensorsFile: Sendable {
    public var tensors: [String: NamedTensor]
    public var metadata: [String: String]

    public init(tensors: [String: NamedTensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Reads a safetensors file.
    /// - Throws: `FormatError` naming the file and the field or byte offset of the problem.
    public static func read(_ path: String) throws -> SafetensorsFile {
        try parse(try FileBytes.read(path), file: path)
    }

    /// Parses the bytes of a safetensors file (`file` names it in errors).
    public static func parse(_ bytes: [UInt8], file: String) throws -> SafetensorsFile {
        guard bytes.count >= 8 else {
            throw FormatError(.syntax, file: file, at: .byteOffset(0), "is \(bytes.count) bytes long, too short for a safetensors header",
                              fix: "the file is truncated or not a safetensors file; write it again")
        }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else {
            throw FormatError(.syntax, file: file, at: .byteOffset(0),
                              "declares a \(n)-byte JSON header but only \(bytes.count - 8) bytes follow",
                              fix: "the file is truncated or not a safetensors file; write it again")
        }
        let dataStart = 8 + Int(n)
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: Data(bytes[8..<dataStart])) } catch {
            throw FormatError(.syntax, file: file, at: .byteOffset(8), "the header is not valid JSON (\(error.localizedDescription))",
                              fix: "the file is corrupt; write it again")
        }
        guard let header = json as? [String: Any] else {
            throw FormatError(.syntax, file: file, at: .byteOffset(8), "the header is not a JSON object", fix: "the file is corrupt; write it again")
        }
        var out = SafetensorsFile()
        if let meta = header["__metadata__"] {
            guard let m = meta as? [String: String] else {
                throw FormatError(.syntax, file: file, at: .field("__metadata__"), "must map strings to strings")
            }
            out.metadata = m
        }
        let dataCount = bytes.count - dataStart
        var ranges: [(Int, Int, String)] = []
        for (name, entry) in header where name != "__metadata__" {
            guard let e = entry as? [String: Any], let dtype = e["dtype"] as? String,
                  let shapeAny = e["shape"] as? [Any], let offsAny = e["data_offsets"] as? [Any], offsAny.count == 2 else {
                throw FormatError(.syntax, file: file, at: .field(name), "needs \"dtype\", \"shape\" and a two-element \"data_offsets\"")
            }
            let shape = shapeAny.compactMap { ($0 as? NSNumber)?.intValue }
            let offs = offsAny.compactMap { ($0 as? NSNumber)?.intValue }
            guard shape.count == shapeAny.count, shape.allSatisfy({ $0 >= 0 }), offs.count == 2 else {
                throw FormatError(.syntax, file: file, at: .field(name), "the shape and offsets must be non-negative integers")
            }
            let width: Int
            switch dtype {
            case "F32": width = 4
            case "F16", "BF16": width = 2
            default:
                throw FormatError(.unsupported, file: file, at: .field("\(name).dtype"), "dtype \(dtype) is not supported (F32, F16, BF16 are)",
                                  fix: "convert the checkpoint to float32")
            }
            // A hostile shape must not overflow: the element count is bounded by the data section.
            var count = 1
            for d in shape {
                let (c, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow, c <= dataCount else {
                    throw FormatError(.invalidValue, file: file, at: .field("\(name).shape"),
                                      "\(shape) holds more values than the \(dataCount)-byte data section", fix: "the file is corrupt; write it again")
                }
                count = c
            }
            guard offs[0] >= 0, offs[0] <= offs[1], offs[1] <= dataCount, offs[1] - offs[0] == count * width else {
                throw FormatError(.invalidValue, file: file, at: .field("\(name).data_offsets"),
                                  "[\(offs[0]), \(offs[1])) does not hold \(count) \(dtype) values inside the \(dataCount)-byte data section",
                                  fix: "the file is truncated or corrupt; write it again")
            }
            if offs[1] > offs[0] { ranges.append((offs[0], offs[1], name)) }   // an empty tensor overlaps nothing
            var values = [Float](repeating: 0, count: count)
            let base = dataStart + offs[0]
            bytes.withUnsafeBytes { raw in
                let p = raw.baseAddress! + base
                switch dtype {
                case "F32": for i in 0..<count { values[i] = Float(bitPattern: p.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self).littleEndian) }
                case "F16": for i in 0..<count { values[i] = Float(Float16(bitPattern: p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian)) }
                default: for i in 0..<count { values[i] = Float(bitPattern: UInt32(p.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self).littleEndian) << 16) }
                }
            }
            out.tensors[name] = NamedTensor(shape: shape, values: values)
        }
        ranges.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        for i in ranges.indices.dropFirst() where ranges[i].0 < ranges[i - 1].1 {
            throw FormatError(.invalidValue, file: file, at: .field("\(ranges[i].2).data_offsets"),
                              "overlaps the data of \(ranges[i - 1].2)", fix: "the file is corrupt; write it again")
        }
        return out
    }

    /// The file's bytes: F32 tensors in name order, header space-padded to a multiple of 8.
    public func serialized() -> [UInt8] {
        let names = tensors.keys.sorted()
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        for name in names {
            let t = tensors[name]!
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.values.count]] as [String: Any]
            offset += 4 * t.values.count
        }
        // A dictionary of strings, integers and arrays always serialises.
        var h = [UInt8]((try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data())
        while h.count % 8 != 0 { h.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + h.count + offset)
        var n = UInt64(h.count)
        for _ in 0..<8 { out.append(UInt8(n & 0xff)); n >>= 8 }
        out += h
        for name in names {
            for v in tensors[name]!.values {
                var b = v.bitPattern.littleEndian
                for _ in 0..<4 { out.append(UInt8(b & 0xff)); b >>= 8 }
            }
        }
        return out
    }

    /// Writes the file atomically.
    public func write(to path: String) throws { try AtomicFile.write(serialized(), to: path) }
}
