// Token shards, evaluation, sampling and resumable training.

import Foundation
import Testing
import TesseraFormats
@testable import TesseraTransformer

func temporaryFolder() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-lm-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

@Suite("Token shards, evaluation, sampling, training")
struct TrainingDataTests {
    // The shard format itself is tested in TesseraStochasticTests/TokenShardTests; here: what the runtime
    // relies on (ids and byte count come back, corrupt files are errors naming the byte offset).
    @Test(arguments: [300, 70_000]) func shardRoundTrip(vocabulary: Int) throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.tokens").path
        let shard = TokenShard(vocabularySize: UInt32(vocabulary), byteCount: 42, ids: [0, 5, UInt32(vocabulary - 1), 17])
        try shard.write(to: path)
        #expect(try TokenShard.read(path: path) == shard)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == TokenShard.headerSize + 4 * shard.idWidth)
    }

    @Test func badShardsAreReported() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.tokens").path
        let good = TokenShard(vocabularySize: 10, byteCount: 3, ids: [1, 2, 3]).serialized()
        try AtomicFile.write(Array(good.dropLast()), to: path)
        let truncated = #expect(throws: FormatError.self) { try TokenShard.read(path: path) }
        #expect(truncated?.location == .byteOffset(24))
        var bad = good
        bad[TokenShard.headerSize + 2] = 10                    // corrupted id: the checksum catches it
        try AtomicFile.write(bad, to: path)
        let corrupt = #expect(throws: FormatError.self) { try TokenShard.read(path: path) }
        #expect(corrupt?.location == .byteOffset(TokenShard.headerSize))
        try AtomicFile.write(Array("hello world, not a shard at all.............................................".utf8), to: path)
        #expect(throws: FormatError.self) { try TokenShard.read(path: path) }
        #expect(throws: FormatError.self) { try TokenShard.read(path: dir.appendingPathComponent("missing.tokens").path) }
    }

    @Test func evaluationOfAnUntrainedModelIsAboutLnV() throws {
        // Zero weights give uniform predictions: exactly ln V nats per token.
        let model = GPTModel(config: GPTConfig(vocabularySize: 12, contextLength: 4, layers: 1, heads: 1, width: 4),
                             backend: CPUBackend())
        let tokens: [UInt32] = (0..<11).map { UInt32($0 % 12) }
        let e = try model.evaluate(tokens: tokens, byteLengths: Array(repeating: 2, count: 11), batch: 2)
        #expect(e.predictedTokens == 10)
        #expect(e.predictedBytes == 20)
        #expect(abs(e.lossPerToken - log(12)) < 1e-6)
        #expect(abs(e.bitsPerByte - log2(12) / 2) < 1e-6)
        let shared = try model.evaluate(tokens: tokens, totalBytes: 22)
        #expect(abs(shared.predictedBytes - 20) < 1e-9)
    }

    @Test func samplingRespectsTopKTopPAndTemperature() {
        let lp: [Float] = [log(0.5), log(0.3), log(0.15), log(0.05)]
        var rng = SeededRandom(seed: 1)
        #expect(SamplingOptions(temperature: 0).sample(lp, using: &rng) == 0)
        var counts = [0, 0, 0, 0]
        for _ in 0..<2000 { counts[Int(SamplingOptions(topK: 2).sample(lp, using: &rng))] += 1 }
        #expect(counts[2] == 0 && counts[3] == 0)
        #expect(abs(Double(counts[0]) / 2000 - 0.625) < 0.05)   // 0.5 / (0.5 + 0.3)
        counts = [0, 0, 0, 0]
        for _ in 0..<2000 { counts[Int(SamplingOptions(topP: 0.9).sample(lp, using: &rng))] += 1 }
        #expect(counts[3] == 0 && counts[2] > 0)                // 0.5 + 0.3 < 0.9 ≤ 0.95
        counts = [0, 0, 0, 0]
        for _ in 0..<4000 { counts[Int(SamplingOptions().sample(lp, using: &rng))] += 1 }
        #expect(abs(Double(counts[3]) / 4000 - 0.05) < 0.02)
        #expect(SamplingOptions(topP: 0).problem != nil)
    }

    @Test func generationIsSeededAndStopsAtTheContext() throws {
        let model = tinyModel(V: 11, T: 8, seed: 4)
        let a = try model.generate(prompt: [1, 2], maxNewTokens: 20, options: SamplingOptions(), seed: 3)
        let b = try model.generate(prompt: [1, 2], maxNewTokens: 20, options: SamplingOptions(), seed: 3)
        #expect(a == b)
        #expect(a.count == 7)   // 2 prompt positions + 6 appended = context 8, then the 7th sample ends it
        #expect(a.allSatisfy { $0 < 11 })
    }

    @Test func resumedTrainingMatchesAnUninterruptedRun() throws {
        let dir = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data: [UInt32] = (0..<400).map { UInt32(($0 * $0 + 3 * $0) % 11) }
        var options = GPTTrainingOptions()
        options.batchSize = 2
        options.sequenceLength = 8
        options.steps = 6
        options.optimizer.warmupSteps = 2
        options.optimizer.totalSteps = 6
        let whole = tinyModel(seed: 2)
        var wholeLosses: [Float] = []
        try GPTTrainer(model: whole, train: data, options: options).run { wholeLosses.append($0.loss) }

        let path = dir.appendingPathComponent("m.safetensors").path
        var firstHalf = options
        firstHalf.steps = 3
        firstHalf.checkpointPath = path
        let a = tinyModel(seed: 2)
        var losses: [Float] = []
        try GPTTrainer(model: a, train: data, options: firstHalf).run { losses.append($0.loss) }
        let b = try GPTModel.load(from: path, backend: CPUBackend())
        try b.loadTrainingState(checkpoint: path)
        #expect(b.step == 3)
        try GPTTrainer(model: b, train: data, options: options).run { losses.append($0.loss) }
        #expect(losses == wholeLosses)
        let n = whole.config.parameterCount
        #expect(Array(UnsafeBufferPointer(start: b.parameters, count: n)) == Array(UnsafeBufferPointer(start: whole.parameters, count: n)))
    }
}
