// The whole model: agreement with the independent NumPy reference (scripts/make-gpt-reference.py),
// checkpoint round trips, the KV cache against the training forward pass, memorisation and determinism.

import Foundation
import Testing
import TesseraFormats
import TesseraLM
import TesseraTestSupport
@testable import TesseraTransformer

/// ‖a − b‖ / ‖b‖.
func relativeError(_ a: [Float], _ b: [Float]) -> Double {
    var num = 0.0, den = 0.0
    for i in b.indices {
        let d = Double(a[i]) - Double(b[i])
        num += d * d
        den += Double(b[i]) * Double(b[i])
    }
    return (num / max(den, 1e-30)).squareRoot()
}

func tinyModel(V: Int = 11, T: Int = 8, L: Int = 2, NH: Int = 2, C: Int = 8, seed: UInt64 = 1) -> GPTModel {
    let m = GPTModel(config: GPTConfig(vocabularySize: V, contextLength: T, layers: L, heads: NH, width: C),
                     backend: CPUBackend(threads: 1))
    m.initialize(seed: seed)
    return m
}

@Suite("GPT model")
struct GPTModelTests {
    @Test func matchesNumPyReference() throws {
        let path = Fixtures.golden("gpt2-reference.safetensors").path
        let file = try SafetensorsFile.read(path)
        let model = try GPTModel.load(from: path, backend: CPUBackend(threads: 1))
        #expect(model.config == GPTConfig(vocabularySize: 24, contextLength: 8, layers: 2, heads: 2, width: 16))
        let tokens = try #require(file.tensors["test.tokens"]).values.map { Int32($0) }
        let targets = try #require(file.tensors["test.targets"]).values.map { Int32($0) }
        let loss = try #require(try model.forward(tokens: tokens, targets: targets, batch: 2, length: 8))
        let refLoss = try #require(file.tensors["test.loss"]).values[0]
        #expect(abs(loss - refLoss) / refLoss < 1e-5, "loss \(loss) vs NumPy \(refLoss)")
        let logitsError = relativeError(Array(model.logits), try #require(file.tensors["test.logits"]).values)
        #expect(logitsError < 1e-5, "logits relative error \(logitsError)")
        model.zeroGradients()
        try model.backward()
        let grads = model.gradientTensors()
        #expect(grads.count == 2 + 12 * 2 + 2)
        for (name, g) in grads {
            let ref = try #require(file.tensors["grad." + name], "fixture lacks grad.\(name)")
            #expect(ref.shape == g.shape)
            let e = relativeError(g.values, ref.values)
            #expect(e < 1e-5, "gradient of \(name): relative error \(e)")
        }
    }

    @Test func checkpointRoundTripIsExact() throws {
        let model = tinyModel()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-lm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.safetensors").path
        try model.save(to: path)
        let back = try GPTModel.load(from: path, backend: CPUBackend(threads: 1))
        #expect(back.config == model.config)
        let n = model.config.parameterCount
        #expect(Array(UnsafeBufferPointer(start: back.parameters, count: n)) == Array(UnsafeBufferPointer(start: model.parameters, count: n)))
    }

    @Test func badCheckpointsAreReported() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-lm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("m.safetensors").path
        #expect(throws: FormatError.self) { try GPTModel.load(from: path, backend: CPUBackend()) }   // missing
        let bytes = tinyModel().checkpoint().serialized()
        try AtomicFile.write(Array(bytes.prefix(bytes.count - 4)), to: path)                          // truncated
        let truncated = #expect(throws: FormatError.self) { try GPTModel.load(from: path, backend: CPUBackend()) }
        #expect(truncated?.description.contains("data_offsets") == true)
        try AtomicFile.write(Array(bytes.prefix(5)), to: path)
        #expect(throws: FormatError.self) { try GPTModel.load(from: path, backend: CPUBackend()) }
        var file = tinyModel().checkpoint()
        file.tensors["h.1.mlp.c_fc.bias"] = nil                                                          // incomplete
        try file.write(to: path)
        let missing = #expect(throws: FormatError.self) { try GPTModel.load(from: path, backend: CPUBackend()) }
        #expect(missing?.description.contains("h.1.mlp.c_fc.bias") == true)
    }

    @Test func kvCacheMatchesFullForward() throws {
        let model = tinyModel(V: 13, T: 9, L: 2, NH: 2, C: 8, seed: 3)
        let prefix: [LMToken] = [3, 1, 4, 1, 5, 9, 2, 6]
        try model.forward(tokens: prefix.map { Int32($0) }, targets: nil, batch: 1, length: prefix.count)
        let logits = Array(model.logits)
        // Split 3 + 1 + 4: after each chunk, compare with the full pass's row for that position.
        var cache = model.makeCache()
        var at = 0
        for chunk in [3, 1, 4] {
            let lp = try model.append(Array(prefix[at..<(at + chunk)]), to: &cache)
            at += chunk
            let row = Array(logits[((at - 1) * 13)..<(at * 13)])
            let expected = row.withUnsafeBufferPointer { logSoftmax($0.baseAddress!, count: 13) }
            for i in 0..<13 { #expect(abs(lp[i] - expected[i]) < 1e-5) }
        }
        #expect(cache.length == 8)
        let batched = try model.logProbabilities(after: [Array(prefix[0..<4]), prefix])
        #expect(batched.count == 2)
        let total = batched[1].reduce(0.0) { $0 + exp(Double($1)) }
        #expect(abs(total - 1) < 1e-5)
        #expect(throws: LMError.self) { try model.append([1, 2], to: &cache) }   // past the context
        var fresh = model.makeCache()
        #expect(throws: LMError.self) { try model.append([13], to: &fresh) }    // outside the vocabulary
        var foreign = tinyModel(V: 13, T: 9, L: 1, NH: 2, C: 8).makeCache()
        #expect(throws: LMError.self) { try model.append([1], to: &foreign) }   // another model's cache
    }

    @Test func memorisesATinyCorpus() throws {
        // One sequence of 16 tokens, seen again and again: the loss must fall close to 0.
        let model = tinyModel(V: 16, T: 16, L: 2, NH: 2, C: 16, seed: 5)
        var rng = SeededRandom(seed: 11)
        let seq = (0..<17).map { _ in Int32(rng.next() % 16) }
        var opt = AdamWOptimizer()
        opt.maxLearningRate = 1e-2
        opt.minLearningRate = 1e-3
        opt.warmupSteps = 10
        opt.totalSteps = 150
        var first: Float = 0, last: Float = 0
        for s in 0..<150 {
            model.zeroGradients()
            let loss = try #require(try model.forward(tokens: Array(seq[0..<16]), targets: Array(seq[1...]), batch: 1, length: 16))
            if s == 0 { first = loss }
            last = loss
            try model.backward()
            opt.update(model)
        }
        #expect(abs(first - log(16)) < 0.1, "initial loss \(first) should be about ln 16")
        #expect(last < 0.05, "loss after 150 steps: \(last)")
    }

    @Test func trainingIsDeterministicGivenTheSeed() throws {
        func run() throws -> [Float] {
            let model = tinyModel(seed: 9)
            var losses: [Float] = []
            var opt = AdamWOptimizer()
            opt.warmupSteps = 1
            let toks = (0..<16).map { Int32(($0 * 7) % 11) }
            let tg = (0..<16).map { Int32(($0 * 5 + 1) % 11) }
            for _ in 0..<3 {
                model.zeroGradients()
                losses.append(try #require(try model.forward(tokens: toks, targets: tg, batch: 2, length: 8)))
                try model.backward()
                opt.update(model)
            }
            return losses
        }
        let a = try run(), b = try run()
        #expect(a == b)
        #expect(a[2] < a[0])
    }

    @Test func badBatchesAreRejected() {
        let model = tinyModel()
        #expect(throws: LMError.self) { try model.forward(tokens: [1, 2, 3], targets: nil, batch: 1, length: 4) }
        #expect(throws: LMError.self) { try model.forward(tokens: Array(repeating: 1, count: 9), targets: nil, batch: 1, length: 9) }
        #expect(throws: LMError.tokenOutOfRange(id: 11, position: 1, vocabularySize: 11)) {
            try model.forward(tokens: [1, 11], targets: nil, batch: 1, length: 2)
        }
        #expect(throws: LMError.noForwardPass) { try model.backward() }
    }

    @Test func scheduleWarmsUpThenDecays() {
        var o = AdamWOptimizer()
        o.maxLearningRate = 1
        o.minLearningRate = 0.1
        o.warmupSteps = 10
        o.totalSteps = 110
        #expect(o.learningRate(at: 5) == 0.5)
        #expect(o.learningRate(at: 10) == 1)
        #expect(abs(o.learningRate(at: 60) - 0.55) < 1e-6)
        #expect(abs(o.learningRate(at: 110) - 0.1) < 1e-6)
        #expect(o.learningRate(at: 500) == 0.1)
    }
}

@Suite("Safetensors")
struct SafetensorsTests {
    @Test func readsTheReferenceWriter() throws {
        let file = try SafetensorsFile.read(Fixtures.golden("safetensors-reference.safetensors").path)
        let expected = (0..<12).map { (Float($0) - 5.5) / 4 }
        #expect(file.tensors["a.f32"] == NamedTensor(shape: [3, 4], values: expected))
        #expect(file.tensors["a.f16"] == NamedTensor(shape: [3, 4], values: expected))
        #expect(file.tensors["one"] == NamedTensor(shape: [1], values: [3.25]))
        #expect(file.tensors["empty"] == NamedTensor(shape: [0, 4], values: []))
        #expect(file.metadata["safetensors"] == "0.8.0")
    }

    @Test func writesWhatItReads() throws {
        let original = SafetensorsFile(tensors: ["x": NamedTensor(shape: [2], values: [1, -2.5]),
                                                 "y\"z": NamedTensor(shape: [1, 1], values: [.pi])],
                                       metadata: ["k": "v"])
        let bytes = original.serialized()
        let headerLength = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
        #expect(headerLength % 8 == 0)   // header padded so that the data starts 8-byte aligned
        let back = try SafetensorsFile.parse(bytes, file: "memory")
        #expect(back.tensors == original.tensors)
        #expect(back.metadata == original.metadata)
    }
}

@Suite("Safetensors: hostile headers")
struct SafetensorsHostileTests {
    func file(header: String, data: Int = 8) -> [UInt8] {
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(0x20) }
        var out = (0..<8).map { UInt8((h.count >> (8 * $0)) & 0xff) }
        out += h
        out += [UInt8](repeating: 0, count: data)
        return out
    }

    @Test func shapesThatOverflowAreErrors() {
        let huge = file(header: #"{"x":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}"#)
        let e = #expect(throws: FormatError.self) { try SafetensorsFile.parse(huge, file: "h") }
        #expect(e?.location == .field("x.shape"))
    }

    @Test func overlappingAndOutOfRangeDataAreErrors() {
        let overlap = file(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#)
        #expect(throws: FormatError.self) { try SafetensorsFile.parse(overlap, file: "o") }
        let past = file(header: #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#)
        #expect(throws: FormatError.self) { try SafetensorsFile.parse(past, file: "p") }
        let dtype = file(header: #"{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#)
        let d = #expect(throws: FormatError.self) { try SafetensorsFile.parse(dtype, file: "d") }
        #expect(d?.kind == .unsupported)
        #expect(throws: FormatError.self) { try SafetensorsFile.parse(Array(file(header: "[1,2]")), file: "j") }
    }
}
