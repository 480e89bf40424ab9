// `tessera`: the command-line front end. This target is the only composition root: it wires the
// format loaders, the tokenizer pipeline and the output writers; every subcommand is a thin wrapper
// over library calls (one file per subcommand, shared option groups in Options.swift).

import ArgumentParser

@main
struct Tessera: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "Byte-exact BPE tokenization: encode, decode, count and inspect with real vocabularies.",
        discussion: """
        With no --tokenizer, o200k_base (embedded) is used. --tokenizer accepts a known name \
        (o200k_base, cl100k_base, r50k_base/gpt2, qwen) or a path: .tiktoken, tokenizer.json, \
        a directory with vocab.json + merges.txt, or a llama.cpp .gguf vocabulary (.gz files too).
        """,
        version: "0.1.0",
        subcommands: [EncodeCommand.self, DecodeCommand.self, CountCommand.self, InspectCommand.self, ConvertCommand.self,
                      TrainGroup.self, ExpandCommand.self, StatsCommand.self, PremiumCommand.self, LMCommand.self,
                      BytesCommand.self, MixtureCommand.self]
    )
}
