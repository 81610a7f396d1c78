"""FER2013 ImageFolder loading shared by train.py and evaluate.py.

Images are decoded once into a uint8 tensor cache: per-image PIL work inside the
training loop would cost more CPU than the network itself on a 2-core machine.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
from PIL import Image

# FER2013's canonical label order; the C# side (EmotionLabels) uses the same order.
CLASSES = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
SIZE = 48


def load_split(root: Path, cache_dir: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Returns (images uint8 [N,48,48], labels int64 [N], relative paths)."""
    files: list[tuple[str, int]] = []
    for label, name in enumerate(CLASSES):
        folder = root / name
        if not folder.is_dir():
            raise SystemExit(f"missing class folder: {folder}")
        for f in sorted(os.listdir(folder)):
            if f.lower().endswith((".jpg", ".jpeg", ".png")):
                files.append((f"{name}/{f}", label))
    if not files:
        raise SystemExit(f"no images under {root}")
    key = hashlib.sha256(("\n".join(p for p, _ in files) + str(root.resolve())).encode()).hexdigest()[:16]
    cache_dir.mkdir(parents=True, exist_ok=True)
    cache = cache_dir / f"{root.name}-{key}.npz"
    if cache.exists():
        z = np.load(cache)
        return z["x"], z["y"], [p for p, _ in files]
    x = np.empty((len(files), SIZE, SIZE), dtype=np.uint8)
    for i, (rel, _) in enumerate(files):
        with Image.open(root / rel) as im:
            im = im.convert("L")
            if im.size != (SIZE, SIZE):
                # Same interpolation family as the C# path (area averaging when shrinking).
                im = im.resize((SIZE, SIZE), Image.BOX)
            x[i] = np.asarray(im, dtype=np.uint8)
    y = np.array([l for _, l in files], dtype=np.int64)
    np.savez(cache, x=x, y=y)
    return x, y, [p for p, _ in files]
