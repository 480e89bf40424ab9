#!/usr/bin/env python3
"""Controlled data-mixture experiments for `tessera mixture` (Hayase et al. 2024, section 4).

Each trial: draw n FLORES-200 languages and a mixture uniformly from the simplex, train a byte-level BPE
with `tessera train` (T merges, GPT-2 pre-tokenizer) on FLORES `dev` text in those proportions, then infer
the mixture with `tessera mixture` from FLORES `devtest` samples (held-out text) and score it by log10 MSE
of the byte shares. Random (a uniform simplex draw) and uniform guesses are scored on the same truths.

Realising a mixture from ~130 KB of `dev` per language: the language with the largest weight uses its
whole dev file, every other language the first lines of its file up to w_i / w_max of its bytes
(at least one line); the truth is the byte shares actually used.

  experiments/mixture_controlled.py --n 5 --trials 20 --merges 300 [--tessera .build/release/tessera]
  experiments/mixture_controlled.py --domains --trials 20 --merges 300

Only the Python standard library is needed. Output: one JSON line per trial, then a summary line.
"""
import argparse, json, math, os, random, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "corpora")


def flores_languages():
    dev = os.path.join(SHARED, "flores200", "dev")
    return sorted(f[:-4] for f in os.listdir(dev) if f.endswith(".dev"))


def read_lines(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n")


def prefix_by_bytes(lines, fraction):
    """The first lines of `lines` holding about `fraction` of their bytes (at least one line)."""
    total = sum(len(l) + 1 for l in lines)
    want, out, size = fraction * total, [], 0
    for l in lines:
        if out and size + len(l) + 1 > want:
            break
        out.append(l)
        size += len(l) + 1
    return b"\n".join(out) + b"\n"


def simplex(rng, n):
    x = [-math.log(1.0 - rng.random()) for _ in range(n)]
    s = sum(x)
    return [v / s for v in x]


def log10_mse(p, q):
    return math.log10(sum((a - b) ** 2 for a, b in zip(p, q)) / len(p))


def run_trial(tessera, categories, weights, merges, workdir, threads):
    """categories: list of (name, train_bytes_source_lines, test_path). Returns a result dict."""
    wmax = max(weights)
    train = os.path.join(workdir, "train.txt")
    used = []
    with open(train, "wb") as f:
        for (name, lines, _), w in zip(categories, weights):
            text = prefix_by_bytes(lines, w / wmax)
            used.append(len(text))
            f.write(text)
    truth = [u / sum(used) for u in used]
    tok = os.path.join(workdir, "tok")
    t0 = time.time()
    subprocess.run([tessera, "train", train, "--vocab-size", str(256 + merges), "--format", "gpt2", "-o", tok,
                    "--threads", str(threads), "--progress", "none"], check=True, stdout=subprocess.DEVNULL)
    t1 = time.time()
    args = [tessera, "mixture", "-t", tok, "--format", "json", "--threads", str(threads)]
    for name, _, test in categories:
        args += ["--category", f"{name}={test}"]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    t2 = time.time()
    result = json.loads(out.stdout)
    share = {c["name"]: c["byte_share"] for c in result["categories"]}
    predicted = [share[name] for name, _, _ in categories]
    return dict(truth=truth, predicted=predicted, log10_mse=log10_mse(predicted, truth), rows=result["rows"],
                columns=result["columns"], rounds=result["rounds"], objective=result["objective"],
                train_seconds=round(t1 - t0, 2), infer_seconds=round(t2 - t1, 2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5)
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--merges", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--domains", action="store_true", help="English prose vs code languages vs FLORES languages")
    ap.add_argument("--tessera", default=os.path.join(ROOT, ".build", "release", "tessera"))
    a = ap.parse_args()
    rng = random.Random(a.seed)
    langs = flores_languages()
    scores, random_scores, uniform_scores = [], [], []
    with tempfile.TemporaryDirectory() as work:
        if a.domains:
            pool = domain_pool(work)
        for trial in range(a.trials):
            if a.domains:
                chosen = pool
            else:
                chosen = []
                for code in rng.sample(langs, a.n):
                    dev = read_lines(os.path.join(SHARED, "flores200", "dev", code + ".dev"))
                    chosen.append((code, dev, os.path.join(SHARED, "flores200", "devtest", code + ".devtest")))
            weights = simplex(rng, len(chosen))
            r = run_trial(a.tessera, chosen, weights, a.merges, work, a.threads)
            r.update(trial=trial, categories=[c[0] for c in chosen], merges=a.merges)
            guess = simplex(rng, len(chosen))
            r["random_log10_mse"] = log10_mse(guess, r["truth"])
            r["uniform_log10_mse"] = log10_mse([1 / len(chosen)] * len(chosen), r["truth"])
            scores.append(r["log10_mse"])
            random_scores.append(r["random_log10_mse"])
            uniform_scores.append(r["uniform_log10_mse"])
            print(json.dumps(r), flush=True)

    def ms(x):
        return f"{statistics.mean(x):.2f} ± {statistics.stdev(x) if len(x) > 1 else 0:.2f}"
    setting = "domains" if a.domains else f"n={a.n}"
    print(f"SUMMARY {setting} T={a.merges} trials={a.trials}: tessera {ms(scores)}, random {ms(random_scores)}, "
          f"uniform {ms(uniform_scores)}", flush=True)


def domain_pool(work):
    """English prose, three code languages and three FLORES languages. English and code: the file is cut
    into line-aligned 16 KB blocks spread over its whole length; even blocks train, odd blocks test
    (~300 KB each), so both halves see the same sub-corpora (the English file is Bible, dictionary,
    Jargon File and fortunes in that order)."""
    pool = []

    def blocks(blob, size=16_000):
        out, s = [], 0
        while s < len(blob):
            e = blob.find(b"\n", s + size)
            e = len(blob) if e < 0 else e + 1
            out.append(blob[s:e])
            s = e
        return out

    def add(name, path, budget=300_000):
        with open(path, "rb") as f:
            parts = blocks(f.read())
        pairs = len(parts) // 2
        take = max(1, min(pairs, budget // 16_000))
        stride = max(1, pairs // take)
        chosen = [k * stride for k in range(take)]
        train_blob = b"".join(parts[2 * k] for k in chosen)
        test_blob = b"".join(parts[2 * k + 1] for k in chosen)
        test = os.path.join(work, f"{name}.test.txt")
        with open(test, "wb") as f:
            f.write(test_blob)
        pool.append((name, train_blob.split(b"\n"), test))

    add("english", os.path.join(SHARED, "english", "en_bench_20MB.txt"))
    for code in ["python", "rust", "java"]:
        add(code, os.path.join(SHARED, "code", code + ".txt"))
    for lang in ["fra_Latn", "rus_Cyrl", "zho_Hans"]:
        dev = read_lines(os.path.join(SHARED, "flores200", "dev", lang + ".dev"))
        pool.append((lang, dev, os.path.join(SHARED, "flores200", "devtest", lang + ".devtest")))
    return pool


if __name__ == "__main__":
    main()
