// swift-tools-version: 6.1
// Tessera: a byte-exact tokenizer toolkit for Linux.
// Module graph (arrows point to dependencies; only the CLI composes modules):
//   tessera (CLI) -> TesseraTraining -> TesseraFormats -> TesseraSentencePiece -> TesseraTokenizer -> TesseraBPE
//                                     \--------------------------/                \-> TesseraPreTokenizers -> TesseraUnicode
//                                                                                          -> CUtf8proc, CICUShim
//   tessera (CLI) -> TesseraFormats -> TesseraLiB -> TesseraTokenizer   (LiB learner + segmentation model)
//   tessera (CLI) -> TesseraStochastic -> TesseraTokenizer                (StochasTok, BPE-dropout)
//   tessera (CLI) -> TesseraTransformer -> TesseraLM (protocol), TesseraFormats, COpenBLAS
//   tessera (CLI) -> TesseraByteLevel -> TesseraLM (protocol), TesseraTokenizer  (exact byte-level probabilities)
//   tessera (CLI) -> TesseraMixture -> TesseraTraining, TesseraAnalysis   (data-mixture inference; HiGHS via dlopen)
import PackageDescription

// No unsafe flags (they also keep the package usable as a dependency): hot loops get their speed from
// raw-pointer views over manually allocated tables instead (see docs/algorithms/bpe-encoding.md).
let optimizedSwift: [SwiftSetting] = []

let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tessera", targets: ["TesseraCLI"]),
        .library(name: "TesseraTokenizer", targets: ["TesseraTokenizer"]),
        .library(name: "TesseraFormats", targets: ["TesseraFormats"]),
        .library(name: "TesseraSentencePiece", targets: ["TesseraSentencePiece"]),
        .library(name: "TesseraUnicode", targets: ["TesseraUnicode"]),
        .library(name: "TesseraTraining", targets: ["TesseraTraining"]),
        .library(name: "TesseraAnalysis", targets: ["TesseraAnalysis"]),
        .library(name: "TesseraLiB", targets: ["TesseraLiB"]),
        .library(name: "TesseraStochastic", targets: ["TesseraStochastic"]),
        .library(name: "TesseraLM", targets: ["TesseraLM"]),
        .library(name: "TesseraTransformer", targets: ["TesseraTransformer"]),
        .library(name: "TesseraByteLevel", targets: ["TesseraByteLevel"]),
        .library(name: "TesseraMixture", targets: ["TesseraMixture"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // C libraries, each behind a small shim. ICU's types never appear in a public header (see docs/architecture.md).
        .systemLibrary(name: "CUtf8proc", path: "Sources/CUtf8proc", providers: [.apt(["libutf8proc-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPrefetch", path: "Sources/CPrefetch"),
        .systemLibrary(name: "CAtomicWords", path: "Sources/CAtomicWords"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CICUShim", path: "Sources/CICUShim",
                linkerSettings: [.linkedLibrary("icui18n"), .linkedLibrary("icuuc"), .linkedLibrary("icudata")]),

        .target(name: "TesseraUnicode", dependencies: ["CUtf8proc", "CICUShim"], swiftSettings: optimizedSwift),
        .target(name: "TesseraPreTokenizers", dependencies: ["TesseraUnicode", "CUtf8proc"], swiftSettings: optimizedSwift),
        .target(name: "TesseraBPE", dependencies: ["CPrefetch", "CAtomicWords"], swiftSettings: optimizedSwift),
        .target(name: "TesseraTokenizer",
                dependencies: ["TesseraBPE", "TesseraPreTokenizers", "TesseraUnicode"], swiftSettings: optimizedSwift),
        .target(name: "TesseraSentencePiece",
                dependencies: ["TesseraBPE", "TesseraTokenizer", "TesseraPreTokenizers", "TesseraUnicode"],
                swiftSettings: optimizedSwift),
        .target(name: "TesseraLiB", dependencies: ["TesseraBPE", "TesseraTokenizer", "TesseraPreTokenizers"],
                swiftSettings: optimizedSwift),
        .target(name: "TesseraStochastic", dependencies: ["TesseraBPE", "TesseraTokenizer"], swiftSettings: optimizedSwift),
        .target(name: "TesseraFormats",
                dependencies: ["TesseraTokenizer", "TesseraPreTokenizers", "TesseraUnicode", "TesseraSentencePiece", "TesseraLiB", "CZlib"],
                resources: [.copy("Resources/o200k_base.tiktoken")], swiftSettings: optimizedSwift),
        .target(name: "TesseraTraining",
                dependencies: ["TesseraBPE", "TesseraPreTokenizers", "TesseraTokenizer", "TesseraFormats"],
                swiftSettings: optimizedSwift),
        .target(name: "TesseraAnalysis", dependencies: ["TesseraBPE", "TesseraTokenizer", "TesseraTraining"],
                swiftSettings: optimizedSwift),
        // Language models: the protocol the byte-level code consumes, and the GPT runtime that implements it.
        .target(name: "TesseraLM", swiftSettings: optimizedSwift),
        .target(name: "TesseraTransformer", dependencies: ["TesseraLM", "TesseraTokenizer", "TesseraFormats", "COpenBLAS"],
                swiftSettings: optimizedSwift),
        // Data-mixture inference: replay + lazy LP; HiGHS is loaded with dlopen at run time (no link dependency).
        .target(name: "TesseraMixture", dependencies: ["TesseraBPE", "TesseraTokenizer", "TesseraTraining", "TesseraFormats", "TesseraAnalysis"],
                swiftSettings: optimizedSwift),
        .executableTarget(name: "TesseraCLI",
                          dependencies: ["TesseraFormats", "TesseraTokenizer", "TesseraTraining", "TesseraAnalysis", "TesseraLiB",
                                         "TesseraStochastic", "TesseraTransformer", "TesseraByteLevel", "TesseraMixture",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: optimizedSwift),
        .executableTarget(name: "TesseraBench", dependencies: ["TesseraFormats", "TesseraTokenizer", "TesseraTraining", "TesseraTestSupport",
                                                                  "TesseraLiB", "TesseraStochastic", "TesseraSentencePiece"],
                          path: "bench/TesseraBench", swiftSettings: optimizedSwift),

        .target(name: "TesseraTestSupport", dependencies: ["TesseraFormats"], path: "Tests/TesseraTestSupport"),
        .testTarget(name: "TesseraUnicodeTests", dependencies: ["TesseraUnicode"]),
        .testTarget(name: "TesseraPreTokenizersTests", dependencies: ["TesseraPreTokenizers", "TesseraTestSupport"]),
        .testTarget(name: "TesseraBPETests", dependencies: ["TesseraBPE", "TesseraTestSupport"]),
        .testTarget(name: "TesseraTokenizerTests", dependencies: ["TesseraTokenizer", "TesseraFormats", "TesseraTestSupport"]),
        .testTarget(name: "TesseraFormatsTests", dependencies: ["TesseraFormats", "TesseraTestSupport"]),
        .testTarget(name: "TesseraTrainingTests", dependencies: ["TesseraTraining", "TesseraTestSupport"]),
        .testTarget(name: "TesseraAnalysisTests", dependencies: ["TesseraAnalysis", "TesseraPreTokenizers", "TesseraTestSupport"]),
        .testTarget(name: "TesseraSentencePieceTests",
                    dependencies: ["TesseraSentencePiece", "TesseraFormats", "TesseraTestSupport"]),
        .testTarget(name: "TesseraTransformerTests", dependencies: ["TesseraTransformer", "TesseraLM", "TesseraTestSupport"]),
        .testTarget(name: "TesseraCLITests", dependencies: ["TesseraTestSupport"]),
        .testTarget(name: "TesseraLiBTests", dependencies: ["TesseraLiB", "TesseraFormats", "TesseraTestSupport"]),
        .testTarget(name: "TesseraStochasticTests", dependencies: ["TesseraStochastic", "TesseraFormats", "TesseraTestSupport"]),
        // Exact byte-level probabilities from tokenized language models (consumes TesseraLM's protocol).
        .target(name: "TesseraByteLevel", dependencies: ["TesseraLM", "TesseraTokenizer", "TesseraBPE", "TesseraPreTokenizers"],
                swiftSettings: optimizedSwift),
        .testTarget(name: "TesseraByteLevelTests",
                    dependencies: ["TesseraByteLevel", "TesseraTransformer", "TesseraFormats", "TesseraTestSupport"]),
        .testTarget(name: "TesseraMixtureTests",
                    dependencies: ["TesseraMixture", "TesseraTraining", "TesseraPreTokenizers", "TesseraFormats", "TesseraTestSupport"]),
    ]
)
