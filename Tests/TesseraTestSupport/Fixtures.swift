// Paths to committed fixtures and to the shared corpora that tests may use.
import Foundation

public enum Fixtures {
    /// The package root (two levels above this file's folder).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `corpora/golden/NAME` inside the package.
    public static func golden(_ name: String) -> URL {
        packageRoot.appendingPathComponent("corpora/golden").appendingPathComponent(name)
    }

    /// `vocabularies/NAME` inside the package.
    public static func vocabulary(_ name: String) -> URL {
        packageRoot.appendingPathComponent("vocabularies").appendingPathComponent(name)
    }

    /// `../shared/RELATIVE` beside the package, or nil when the shared folder is absent
    /// (tests then skip with a message saying what is missing).
    public static func shared(_ relative: String) -> URL? {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared").appendingPathComponent(relative)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}
