#!/usr/bin/env python3
"""Writes corpora/golden/safetensors-reference.safetensors with the reference writer
(safetensors 0.8.0, safetensors.numpy.save_file): an F32 tensor, an F16 copy of it, a scalar-shaped and
an empty tensor, and metadata. SafetensorsTests reads it and checks every value.

Usage: /work/main/bench/.venv/bin/python scripts/make-safetensors-fixture.py
"""
import os

import numpy as np
import safetensors
from safetensors.numpy import save_file

out = os.path.join(os.path.dirname(__file__), "..", "corpora", "golden", "safetensors-reference.safetensors")
a = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 4   # exact in float16 too
save_file({"a.f32": a, "a.f16": a.astype(np.float16), "one": np.array([3.25], dtype=np.float32),
           "empty": np.zeros((0, 4), dtype=np.float32)}, out,
          metadata={"generator": "scripts/make-safetensors-fixture.py", "safetensors": safetensors.__version__})
print("wrote", out)
