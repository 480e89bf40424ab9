#!/usr/bin/env python3
"""Golden fixtures for the LiB port: runs the 2023 reference (ray306/The-Less-is-Better-Model, LiB.py)
and records, for each case, the lexicon in rank order and the probation pool at the end of training
(before clean_lexicon; the cleaned lexicon is that list without the pool), and the reference's segmentation of the first
sentences (apply, with and without seg_deeper) with the cleaned lexicon.

The Swift learner must reproduce these exactly: it draws from the same Python random stream
(`random.seed(seed)`, one `random.random()` per matched chunk).

Usage (from the package root):
    python scripts/make-golden-lib.py --reference /path/to/The-Less-is-Better-Model [--shared ../shared]

The reference checkout must be at commit f301b47 (2023-07-14, "Updated: 20230714"); its preprocessing
module imports chardet (pip install chardet==5.2.0). Writes corpora/golden/lib/*.json.
"""
import argparse
import hashlib
import json
import os
import platform
import sys

REFERENCE_COMMIT = "f301b47"

# name, corpus (relative to the package root, or shared: for ../shared), transform, parameters, steps,
# sentences per step, seed, number of sentences to segment.
CASES = [
    dict(name="genesis-kjv-demo", corpus="corpora/demo/genesis-kjv.txt", transform="lines",
         params=dict(in_rate=0.25, out_rate=0.01, update_rate=0.1, life=3, inspect_context=True),
         steps=40, sentences_per_step=50, seed=0, segment=25),
    dict(name="genesis-rv1909-nospace-defaults", corpus="corpora/demo/genesis-rv1909.txt", transform="remove-spaces",
         params=dict(in_rate=0.25, out_rate=0.0001, update_rate=0.1, life=10, inspect_context=True),
         steps=8, sentences_per_step=50, seed=7, segment=20),
    dict(name="genesis-kjv-maxlen-nocontext", corpus="corpora/demo/genesis-kjv.txt", transform="lines",
         params=dict(in_rate=0.5, out_rate=0.05, update_rate=0.3, life=2, inspect_context=False, max_chunk_len=6),
         steps=30, sentences_per_step=40, seed=12345, segment=25),
    dict(name="br-text-demo", corpus="shared:corpora/br-text/br-text.txt", transform="lines",
         params=dict(in_rate=0.25, out_rate=0.01, update_rate=0.1, life=3, inspect_context=True),
         steps=200, sentences_per_step=200, seed=0, segment=50),
    dict(name="br-text-words-space-seed2", corpus="shared:corpora/br-text/br-text.txt", transform="words+space",
         params=dict(in_rate=0.25, out_rate=0.01, update_rate=0.1, life=3, inspect_context=True),
         steps=200, sentences_per_step=200, seed=2, segment=50),
]


def sentences_of(path, transform):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for line in lines:
        # The reference strips every sentence; the fixtures use corpora whose lines need no stripping,
        # so the Swift side can feed raw lines.
        assert line == line.strip(), f"line needs stripping: {line!r}"
    if transform == "remove-spaces":
        lines = [line.replace(" ", "") for line in lines]
    elif transform == "words+space":
        # What the reference Quick_Demo's Corpus(token_divider=" ") reads: every word followed by a space.
        lines = ["".join(w + " " for w in line.split(" ")) for line in lines]
    return lines


def run_case(LiB, case, corpus_path):
    sentences = sentences_of(corpus_path, case["transform"])
    if case["transform"] == "words+space":
        corpus = LiB.Corpus("\n".join(sentences_of(corpus_path, "lines")), sentence_divider="\n", token_divider=" ")
        assert LiB.merge_token_list(corpus.train) == sentences
    else:
        corpus = LiB.Corpus("\n".join(sentences), sentence_divider="\n")
        assert corpus.train == sentences
    model = LiB.Model(corpus, random_seed=case["seed"], **case["params"])
    for step in range(case["steps"]):
        model.learn(step, article_length_max=case["sentences_per_step"], report_interval=None)
    before = list(model.lexicon.list)
    pool = model.probation_pool
    probation = [[w, pool[w][0]] for w in before if w in pool]
    model.clean_lexicon()
    after = list(model.lexicon.list)
    sample = sentences[: case["segment"]]
    segmented = model.apply(sample, seg_deeper=False)
    deeper = model.apply(sample, seg_deeper=True)
    full = model.apply(sentences, flatten=True)
    return dict(
        name=case["name"], corpus=case["corpus"], transform=case["transform"], parameters=case["params"],
        steps=case["steps"], sentences_per_step=case["sentences_per_step"], seed=case["seed"],
        lexicon_before_cleanup=before, probation_before_cleanup=probation, lexicon_size=len(after),
        segment_sentences=len(sample), segmentation=segmented, segmentation_deeper=deeper,
        corpus_tokens=len(full), corpus_types=len(set(full)),
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reference", required=True, help="checkout of ray306/The-Less-is-Better-Model")
    ap.add_argument("--shared", default=os.path.join("..", "shared"))
    ap.add_argument("--out", default=os.path.join("corpora", "golden", "lib"))
    args = ap.parse_args()
    # The reference is identified by its commit (documented above) and the hashes of its two modules.
    digests = {name: hashlib.sha256(open(os.path.join(args.reference, name), "rb").read()).hexdigest()[:16]
               for name in ("LiB.py", "structures.py")}
    sys.path.insert(0, args.reference)
    import LiB  # noqa: E402  (the reference)
    os.makedirs(args.out, exist_ok=True)
    for case in CASES:
        path = case["corpus"]
        if path.startswith("shared:"):
            path = os.path.join(args.shared, path[len("shared:"):])
        if not os.path.exists(path):
            print(f"skip {case['name']}: {path} is absent")
            continue
        result = run_case(LiB, case, path)
        result["made_by"] = dict(script="scripts/make-golden-lib.py", reference="ray306/The-Less-is-Better-Model",
                                 reference_commit=REFERENCE_COMMIT, reference_sha256_16=digests, python=platform.python_version())
        out = os.path.join(args.out, case["name"] + ".json")
        with open(out, "w", encoding="utf-8") as f:
            json.dump(result, f, ensure_ascii=True, indent=0)
            f.write("\n")
        print(f"{out}: lexicon {len(result['lexicon_before_cleanup'])} -> {result['lexicon_size']}, "
              f"tokens {result['corpus_tokens']}, types {result['corpus_types']}")


if __name__ == "__main__":
    main()
