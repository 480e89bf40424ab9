#!/usr/bin/env bash
# A/B timing of the LiB learner between git revisions (docs/algorithms/lib.md, "Speed work").
#
#   scripts/lib-learner-ab.sh REV_A REV_B [ROUNDS]
#
# A revision named WT is the working tree's Sources/TesseraLiB (uncommitted changes included).
# For each revision, the learner's files of Sources/TesseraLiB (everything but the segmentation model,
# which needs other modules) are compiled alone with `swiftc -O -wmo` together with a small driver that
# trains 200 steps × 200 sentences with the demo settings for seeds 0–4 on the BR corpus in its two
# formats (words + space, spaces removed; as bench/lib_bench.py prepares them), and prints for each seed
# the final lexicon's size and FNV-1a hash and the minimum thread CPU time of 5 runs. The binaries then
# run alternately for ROUNDS rounds (default 3); the minimum total per corpus format is reported, and the
# hashes of the two revisions are compared (a speed change must not change the lexicon).
# Needs swiftc, python3 and ../shared (or $TESSERA_SHARED).
set -euo pipefail
cd "$(dirname "$0")/.."
A=${1:?revision A}; B=${2:?revision B}; ROUNDS=${3:-3}
SHARED=${TESSERA_SHARED:-../shared}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$SHARED/corpora/br-text/br-text.txt" "$WORK" <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().strip().split("\n")
with open(f"{sys.argv[2]}/ws.txt", "w", encoding="utf-8") as f:
    f.write("\n".join("".join(w + " " for w in l.strip().split(" ")) for l in lines) + "\n")
with open(f"{sys.argv[2]}/ns.txt", "w", encoding="utf-8") as f:
    f.write("\n".join(l.strip().replace(" ", "") for l in lines) + "\n")
PY

mkdir -p "$WORK/driver"
cat > "$WORK/driver/main.swift" <<'SWIFT'
import Glibc

func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

guard let file = fopen(CommandLine.arguments[1], "rb") else { fatalError("cannot open \(CommandLine.arguments[1])") }
var bytes: [UInt8] = []
var block = [UInt8](repeating: 0, count: 1 << 16)
while true {
    let n = fread(&block, 1, block.count, file)
    if n <= 0 { break }
    bytes.append(contentsOf: block[0..<n])
}
fclose(file)
var sentences = bytes.split(separator: 10, omittingEmptySubsequences: false).map { Array($0) }
if sentences.last?.isEmpty == true { sentences.removeLast() }
var total = 0.0
for seed in 0..<5 {
    var p = LiBParameters.demo
    p.seed = UInt64(seed)
    var best = Double.infinity
    var lexicon: [[UInt8]] = []
    for _ in 0..<5 {
        var articles = InMemoryArticles(sentences: sentences)
        let start = cpuNow()
        lexicon = try LiBTrainer.train(parameters: p, steps: 200, nextArticle: { articles.next(p.sentencesPerStep, into: &$0) }).lexicon
        best = min(best, cpuNow() - start)
    }
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for c in lexicon {
        for b in c { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h = (h ^ 0xff) &* 0x100_0000_01b3
    }
    print("seed \(seed) lexicon \(lexicon.count) hash \(String(h, radix: 16))")
    total += best
}
print("total_cpu_ms \(total * 1000)")
SWIFT

for side in A B; do
    rev=${!side}
    mkdir -p "$WORK/$side"
    if [[ $rev == WT ]]; then
        mkdir -p "$WORK/$side/Sources" && cp -R Sources/TesseraLiB "$WORK/$side/Sources/"
    else
        git archive "$rev" Sources/TesseraLiB | tar -x -C "$WORK/$side"
    fi
    files=$(ls "$WORK/$side"/Sources/TesseraLiB/*.swift | grep -v -e LiBModel -e LineSplitter)
    swiftc -O -wmo -module-name LiBDriver $files "$WORK/driver/main.swift" -o "$WORK/$side/driver"
done

declare -A best
for round in $(seq "$ROUNDS"); do
    for side in A B; do
        for corpus in ws ns; do
            "$WORK/$side/driver" "$WORK/$corpus.txt" > "$WORK/$side-$corpus.out"
            t=$(awk '/^total_cpu_ms/ {print $2}' "$WORK/$side-$corpus.out")
            key="$side $corpus"
            if [[ -z ${best[$key]:-} ]] || awk -v a="$t" -v b="${best[$key]}" 'BEGIN { exit !(a < b) }'; then best[$key]=$t; fi
        done
    done
done
for corpus in ws ns; do
    if ! diff <(grep '^seed' "$WORK/A-$corpus.out") <(grep '^seed' "$WORK/B-$corpus.out") > /dev/null; then
        echo "DIFFERENT lexicons on $corpus:"; diff <(grep '^seed' "$WORK/A-$corpus.out") <(grep '^seed' "$WORK/B-$corpus.out") || true
    fi
done
printf 'CPU ms, 5 seeds together (minimum of %s rounds; load %s)\n' "$ROUNDS" "$(cut -d' ' -f1 /proc/loadavg)"
printf '%-14s words+space %8.1f   no spaces %8.1f\n' "A $A" "${best[A ws]}" "${best[A ns]}"
printf '%-14s words+space %8.1f   no spaces %8.1f\n' "B $B" "${best[B ws]}" "${best[B ns]}"
