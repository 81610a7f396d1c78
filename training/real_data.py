"""Real-photo face sets (CK+ and LFW splits made by make_splits.py) as 48x48 uint8 arrays, equalised like FER2013.

The FER2013 copies in ../shared are histogram-equalised; real crops are not. `equalize` applies the same global
histogram equalisation (OpenCV's equalizeHist, which the C# pipeline also calls on each crop) so training and
inference see one distribution.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from fer_data import CLASSES, SIZE


def equalize(x: np.ndarray) -> np.ndarray:
    return np.stack([cv2.equalizeHist(im) for im in x]) if x.ndim == 3 else cv2.equalizeHist(x)


def load_folder(root: Path, eq: bool = True) -> tuple[np.ndarray, np.ndarray, list[str]]:
    xs, ys, names = [], [], []
    for label, name in enumerate(CLASSES):
        folder = root / name
        if not folder.is_dir():
            continue
        for f in sorted(folder.iterdir()):
            im = cv2.imread(str(f), cv2.IMREAD_GRAYSCALE)
            if im is None:
                continue
            im = cv2.resize(im, (SIZE, SIZE), interpolation=cv2.INTER_AREA)
            xs.append(im)
            ys.append(label)
            names.append(f"{name}/{f.name}")
    x = np.stack(xs).astype(np.uint8)
    return (equalize(x) if eq else x), np.array(ys, dtype=np.int64), names
