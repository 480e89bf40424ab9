// Hugging Face post-processors for one sequence (tokenizers/src/processors/*.rs) as they change ids when
// `add_special_tokens` is asked for: TemplateProcessing's `single` template, RobertaProcessing and
// BertProcessing (`cls` + sequence + `sep`), ByteLevel (no ids; it only trims offsets, which Tessera does not
// do: its offsets are byte ranges) and Sequence. Pair templates are kept by the loader for writing only:
// Tessera encodes one sequence at a time.
//
// Invariant: with `add_special_tokens`, the ids are tokenizers' `encode(text, add_special_tokens=True).ids`;
// added ids get an empty offset range where they stand (before the first token, after the last).
// Complexity: O(ids) per call.

import TesseraBPE

/// One item of a template: the encoded sequence, or the ids of a special token.
public enum TemplateItem: Sendable, Equatable {
    case sequence
    case special([TokenID])
}

/// A single-sequence template (TemplateProcessing's `single`; Roberta/Bert processing as `cls $A sep`).
public struct TemplatePostProcessor: PostProcessing {
    public let items: [TemplateItem]
    private let label: String

    public init(items: [TemplateItem], label: String = "TemplateProcessing") {
        self.items = items
        self.label = label
    }

    public func process(_ ids: inout [TokenID], offsets: UnsafeMutablePointer<[Range<Int>]>?) {
        var outIDs: [TokenID] = []
        outIDs.reserveCapacity(ids.count + items.count)
        var outOffsets: [Range<Int>] = []
        // Where an added id sits: at the start of what follows, or at the end of what came before.
        var position = offsets?.pointee.first?.lowerBound ?? 0
        for item in items {
            switch item {
            case .sequence:
                outIDs.append(contentsOf: ids)
                if let offsets {
                    outOffsets.append(contentsOf: offsets.pointee)
                    position = offsets.pointee.last?.upperBound ?? position
                }
            case .special(let specialIDs):
                outIDs.append(contentsOf: specialIDs)
                if offsets != nil { outOffsets.append(contentsOf: repeatElement(position..<position, count: specialIDs.count)) }
            }
        }
        ids = outIDs
        offsets?.pointee = outOffsets
    }

    public var summary: String {
        label + "[" + items.map { item -> String in
            switch item {
            case .sequence: return "$A"
            case .special(let ids): return ids.map(String.init).joined(separator: ",")
            }
        }.joined(separator: " ") + "]"
    }
}

/// Post-processors applied in order (tokenizers' `Sequence`).
public struct PostProcessorSequence: PostProcessing {
    public let processors: [any PostProcessing]

    public init(_ processors: [any PostProcessing]) { self.processors = processors }

    public func process(_ ids: inout [TokenID], offsets: UnsafeMutablePointer<[Range<Int>]>?) {
        for p in processors { p.process(&ids, offsets: offsets) }
    }

    public var summary: String { "Sequence[" + processors.map(\.summary).joined(separator: ", ") + "]" }
}

/// A post-processor that changes no ids (ByteLevel, whose only effect in tokenizers is trimming offsets).
public struct IdentityPostProcessor: PostProcessing {
    public let label: String
    public init(label: String) { self.label = label }
    public func process(_ ids: inout [TokenID], offsets: UnsafeMutablePointer<[Range<Int>]>?) {}
    public var summary: String { label + " (offset trimming not applied)" }
}
