// Input discovery: files, directories (recursive, sorted, regular files only) and stdin ("-").

import Foundation
import TesseraFormats

struct InputItem {
    /// The path as shown in output ("-" for standard input).
    let name: String
    let byteCount: Int?

    func read() throws -> [UInt8] {
        if name == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        do { return try FileBytes.read(name) } catch { throw CLIError("\(error)") }
    }
}

enum Inputs {
    /// Expands `paths` (empty = stdin) into input items, in order; directories are walked recursively
    /// in sorted order. A missing path is an error naming it.
    static func expand(_ paths: [String]) throws -> [InputItem] {
        if paths.isEmpty { return [InputItem(name: "-", byteCount: nil)] }
        var items: [InputItem] = []
        let fm = FileManager.default
        for path in paths {
            if path == "-" { items.append(InputItem(name: "-", byteCount: nil)); continue }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIError("no such file or directory: \(path)")
            }
            if isDirectory.boolValue {
                guard let walker = fm.enumerator(atPath: path) else { throw CLIError("cannot read directory: \(path)") }
                var found: [String] = []
                while let relative = walker.nextObject() as? String {
                    let full = (path as NSString).appendingPathComponent(relative)
                    var dir: ObjCBool = false
                    if fm.fileExists(atPath: full, isDirectory: &dir), !dir.boolValue { found.append(full) }
                }
                for f in found.sorted() { items.append(InputItem(name: f, byteCount: fileSize(f))) }
            } else {
                items.append(InputItem(name: path, byteCount: fileSize(path)))
            }
        }
        return items
    }

    static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
    }
}
