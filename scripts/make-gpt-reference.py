#!/usr/bin/env python3
"""Independent NumPy (float64) reference of the GPT-2 model in Sources/TesseraTransformer.

Writes corpora/golden/gpt2-reference.safetensors: random weights under the
Hugging Face GPT-2 names and layout (Conv1D weights stored (in, out)), a batch of tokens and targets,
and the reference logits, mean loss and the gradient of the mean loss for every weight
("grad.<name>"). The Swift test loads the weights, runs forward/backward in float32 and requires
every tensor to agree within 1e-5 relative (‖swift − ref‖ / ‖ref‖).

The forward and backward passes are written out by hand from the definitions (pre-LN blocks, causal
multi-head attention, tanh GELU, tied head, mean cross-entropy); before writing, the script checks
its own backward pass against float64 central differences on a sample of weights.

Usage: /work/main/bench/.venv/bin/python scripts/make-gpt-reference.py   (numpy 2.3.5)
"""
import json
import os
import struct
import sys

import numpy as np

V, T, L, NH, C, B = 24, 8, 2, 2, 16, 2
HS = C // NH
EPS = 1e-5
OUT = os.path.join(os.path.dirname(__file__), "..", "corpora", "golden", "gpt2-reference.safetensors")


def make_weights(rng):
    w = {"wte.weight": rng.normal(0, 0.5, (V, C)), "wpe.weight": rng.normal(0, 0.3, (T, C))}
    for l in range(L):
        p = f"h.{l}."
        w[p + "ln_1.weight"] = 1 + rng.normal(0, 0.2, C)
        w[p + "ln_1.bias"] = rng.normal(0, 0.1, C)
        w[p + "attn.c_attn.weight"] = rng.normal(0, 0.3, (C, 3 * C))
        w[p + "attn.c_attn.bias"] = rng.normal(0, 0.1, 3 * C)
        w[p + "attn.c_proj.weight"] = rng.normal(0, 0.3, (C, C))
        w[p + "attn.c_proj.bias"] = rng.normal(0, 0.1, C)
        w[p + "ln_2.weight"] = 1 + rng.normal(0, 0.2, C)
        w[p + "ln_2.bias"] = rng.normal(0, 0.1, C)
        w[p + "mlp.c_fc.weight"] = rng.normal(0, 0.3, (C, 4 * C))
        w[p + "mlp.c_fc.bias"] = rng.normal(0, 0.1, 4 * C)
        w[p + "mlp.c_proj.weight"] = rng.normal(0, 0.2, (4 * C, C))
        w[p + "mlp.c_proj.bias"] = rng.normal(0, 0.1, C)
    w["ln_f.weight"] = 1 + rng.normal(0, 0.2, C)
    w["ln_f.bias"] = rng.normal(0, 0.1, C)
    # The Swift side reads float32: compute the reference on exactly those values.
    return {k: v.astype(np.float32).astype(np.float64) for k, v in w.items()}


def ln_fwd(x, g, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    rstd = 1 / np.sqrt(var + EPS)
    n = (x - mu) * rstd
    return n * g + b, (n, rstd, g)


def ln_bwd(dy, cache):
    n, rstd, g = cache
    dn = dy * g
    dx = (dn - dn.mean(-1, keepdims=True) - n * (dn * n).mean(-1, keepdims=True)) * rstd
    return dx, (dy * n).reshape(-1, C).sum(0), dy.reshape(-1, C).sum(0)


K = np.sqrt(2 / np.pi)


def gelu(x):
    return 0.5 * x * (1 + np.tanh(K * (x + 0.044715 * x ** 3)))


def gelu_grad(x):
    u = K * (x + 0.044715 * x ** 3)
    th = np.tanh(u)
    return 0.5 * (1 + th) + 0.5 * x * (1 - th ** 2) * K * (1 + 3 * 0.044715 * x ** 2)


def split_heads(a):  # (B,T,C) -> (B,NH,T,HS)
    return a.reshape(B, T, NH, HS).transpose(0, 2, 1, 3)


def merge_heads(a):
    return a.transpose(0, 2, 1, 3).reshape(B, T, C)


MASK = np.tril(np.ones((T, T), dtype=bool))


def forward(w, idx, tgt):
    caches = []
    x = w["wte.weight"][idx] + w["wpe.weight"][np.arange(T)]
    for l in range(L):
        p = f"h.{l}."
        h, c1 = ln_fwd(x, w[p + "ln_1.weight"], w[p + "ln_1.bias"])
        qkv = h @ w[p + "attn.c_attn.weight"] + w[p + "attn.c_attn.bias"]
        q, k, v = (split_heads(a) for a in np.split(qkv, 3, axis=-1))
        s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(HS)
        s = np.where(MASK, s, -np.inf)
        a = np.exp(s - s.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        y = merge_heads(a @ v)
        x2 = x + y @ w[p + "attn.c_proj.weight"] + w[p + "attn.c_proj.bias"]
        h2, c2 = ln_fwd(x2, w[p + "ln_2.weight"], w[p + "ln_2.bias"])
        f = h2 @ w[p + "mlp.c_fc.weight"] + w[p + "mlp.c_fc.bias"]
        g = gelu(f)
        x3 = x2 + g @ w[p + "mlp.c_proj.weight"] + w[p + "mlp.c_proj.bias"]
        caches.append((x, h, c1, q, k, v, a, y, x2, h2, c2, f, g))
        x = x3
    hf, cf = ln_fwd(x, w["ln_f.weight"], w["ln_f.bias"])
    logits = hf @ w["wte.weight"].T
    m = logits.max(-1, keepdims=True)
    lse = m + np.log(np.exp(logits - m).sum(-1, keepdims=True))
    logp = logits - lse
    loss = -np.take_along_axis(logp, tgt[..., None], -1).mean()
    return logits, loss, (caches, hf, cf, logp)


def backward(w, idx, tgt, state):
    caches, hf, cf, logp = state
    gr = {k: np.zeros_like(v) for k, v in w.items()}
    dlogits = np.exp(logp)
    np.put_along_axis(dlogits, tgt[..., None], np.take_along_axis(dlogits, tgt[..., None], -1) - 1, -1)
    dlogits /= B * T
    gr["wte.weight"] += dlogits.reshape(-1, V).T @ hf.reshape(-1, C)
    dx, gr["ln_f.weight"], gr["ln_f.bias"] = ln_bwd(dlogits @ w["wte.weight"], cf)
    for l in reversed(range(L)):
        p = f"h.{l}."
        x, h, c1, q, k, v, a, y, x2, h2, c2, f, g = caches[l]
        dx3 = dx
        gr[p + "mlp.c_proj.weight"] = g.reshape(-1, 4 * C).T @ dx3.reshape(-1, C)
        gr[p + "mlp.c_proj.bias"] = dx3.reshape(-1, C).sum(0)
        df = (dx3 @ w[p + "mlp.c_proj.weight"].T) * gelu_grad(f)
        gr[p + "mlp.c_fc.weight"] = h2.reshape(-1, C).T @ df.reshape(-1, 4 * C)
        gr[p + "mlp.c_fc.bias"] = df.reshape(-1, 4 * C).sum(0)
        dh2 = df @ w[p + "mlp.c_fc.weight"].T
        dln2, gr[p + "ln_2.weight"], gr[p + "ln_2.bias"] = ln_bwd(dh2, c2)
        dx2 = dx3 + dln2
        gr[p + "attn.c_proj.weight"] = y.reshape(-1, C).T @ dx2.reshape(-1, C)
        gr[p + "attn.c_proj.bias"] = dx2.reshape(-1, C).sum(0)
        dy = split_heads(dx2 @ w[p + "attn.c_proj.weight"].T)
        da = dy @ v.transpose(0, 1, 3, 2)
        dv = a.transpose(0, 1, 3, 2) @ dy
        ds = a * (da - (a * da).sum(-1, keepdims=True))
        dq = ds @ k / np.sqrt(HS)
        dk = ds.transpose(0, 1, 3, 2) @ q / np.sqrt(HS)
        dqkv = np.concatenate([merge_heads(dq), merge_heads(dk), merge_heads(dv)], -1)
        gr[p + "attn.c_attn.weight"] = h.reshape(-1, C).T @ dqkv.reshape(-1, 3 * C)
        gr[p + "attn.c_attn.bias"] = dqkv.reshape(-1, 3 * C).sum(0)
        dh = dqkv @ w[p + "attn.c_attn.weight"].T
        dln1, gr[p + "ln_1.weight"], gr[p + "ln_1.bias"] = ln_bwd(dh, c1)
        dx = dx2 + dln1
    np.add.at(gr["wte.weight"], idx.reshape(-1), dx.reshape(-1, C))
    gr["wpe.weight"] += dx.sum(0)
    return gr


def self_check(w, idx, tgt, gr, rng):
    """Central differences in float64 on a few entries of every tensor."""
    worst = 0.0
    for name, val in w.items():
        flat = val.reshape(-1)
        for i in rng.choice(flat.size, size=min(3, flat.size), replace=False):
            old = flat[i]
            flat[i] = old + 1e-6
            lp = forward(w, idx, tgt)[1]
            flat[i] = old - 1e-6
            lm = forward(w, idx, tgt)[1]
            flat[i] = old
            num = (lp - lm) / 2e-6
            ana = gr[name].reshape(-1)[i]
            worst = max(worst, abs(num - ana) / max(abs(ana), 1e-4))
    if worst > 1e-5:
        sys.exit(f"reference backward disagrees with finite differences (worst relative error {worst:.2e})")
    return worst


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name])
        dtype = {np.float32: "F32", np.int32: "I32"}[arr.dtype.type]
        data = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))
    os.replace(tmp, path)


def main():
    rng = np.random.default_rng(20240326)
    w = make_weights(rng)
    idx = rng.integers(0, V, (B, T))
    tgt = rng.integers(0, V, (B, T))
    logits, loss, state = forward(w, idx, tgt)
    gr = backward(w, idx, tgt, state)
    worst = self_check(w, idx, tgt, gr, rng)
    out = {k: v.astype(np.float32) for k, v in w.items()}
    out.update({"grad." + k: v.astype(np.float32) for k, v in gr.items()})
    out["test.tokens"] = idx.astype(np.float32)  # small ids: exact in float32
    out["test.targets"] = tgt.astype(np.float32)
    out["test.logits"] = logits.astype(np.float32)
    out["test.loss"] = np.array([loss], dtype=np.float32)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    write_safetensors(OUT, out, {"generator": "scripts/make-gpt-reference.py", "numpy": np.__version__,
                                 "n_head": str(NH), "loss_float64": repr(float(loss))})
    print(f"wrote {OUT}: loss {loss:.6f}, self-check worst relative error {worst:.1e}")


if __name__ == "__main__":
    main()
