"""Measures how the bot's detector frames a face compared with FER2013's own crops (issue 15), so that FaceCropper can
cut photo faces the way the training crops were cut.

    /usr/bin/python3 training/measure_framing.py --fer ../shared/datasets/fer2013/train --moodbot src/MoodBot/bin/Release/net10.0/moodbot

Each sampled FER2013 *train* crop (48x48, the whole training input) is enlarged 4x to 192 px and placed in the middle of
a 448x448 mid-grey canvas, so the detector sees a face of a size it handles well (~110 px of its 256-px input) with
nothing else around. `moodbot score-faces --detections` runs the bot's own decode and detector on these photos (the
boxes it writes are exactly what the cropper receives), and for every crop with one matching detection this prints,
in units of the detector's box side b:

- margin: (crop side / b - 1) / 2, the FaceMargin that makes the crop as large as FER2013's;
- down:   (crop centre y - box centre y) / b, the FaceShiftDown that centres it the same way;
- right:  the same along x (expected ~0: the faces are roughly frontal and the model is flip-averaged).

Medians and quartiles are printed; the median goes into VisionOptions. Only the train split is used (val is the
evaluation set). Nothing is written into the repository.
"""
from __future__ import annotations

import argparse
import json
import random
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

SCALE = 4
CANVAS = 448


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--fer", type=Path, required=True, help="FER2013 train ImageFolder")
    p.add_argument("--moodbot", type=Path, required=True, help="the built moodbot executable")
    p.add_argument("--count", type=int, default=1400)
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--set", action="append", default=[], help="extra Key=Value for score-faces (e.g. FaceScoreThreshold=0.5)")
    a = p.parse_args()
    files = sorted(a.fer.rglob("*.jpg"))
    if not files:
        raise SystemExit(f"no .jpg under {a.fer}")
    rng = random.Random(a.seed)
    sample = rng.sample(files, min(a.count, len(files)))
    side = 48 * SCALE
    off = (CANVAS - side) // 2
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        photos = {}
        for i, f in enumerate(sample):
            grey = cv2.imread(str(f), cv2.IMREAD_GRAYSCALE)
            if grey is None or grey.shape != (48, 48):
                continue
            big = cv2.resize(grey, (side, side), interpolation=cv2.INTER_LINEAR)
            canvas = np.full((CANVAS, CANVAS), 128, np.uint8)
            canvas[off:off + side, off:off + side] = big
            name = f"fer-{i:05d}.png"
            cv2.imwrite(str(out / name), canvas)
            photos[name] = {"faces": [[off, off, side, side]]}
        (out / "boxes.json").write_text(json.dumps({"photos": photos}))
        cmd = [str(a.moodbot), "score-faces", str(out / "boxes.json"), str(out), "--detections", str(out / "found.json")]
        for s in a.set:
            cmd += ["--set", s]
        print(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        found = json.loads((out / "found.json").read_text())["photos"]
    margins, downs, rights = [], [], []
    none = several = 0
    centre = CANVAS / 2
    for name in photos:
        boxes = found.get(name, {}).get("faces", [])
        # The face is the box nearest the middle; a second box is a false face on the enlarged crop (counted, not used).
        boxes = [b for b in boxes if abs(b[0] + b[2] / 2 - centre) < side / 3 and abs(b[1] + b[3] / 2 - centre) < side / 3]
        if not boxes:
            none += 1
            continue
        if len(boxes) > 1:
            several += 1
            continue
        x, y, w, h = boxes[0]
        b = max(w, h)
        margins.append((side / b - 1) / 2)
        downs.append((centre - (y + h / 2)) / b)
        rights.append((centre - (x + w / 2)) / b)
    print(f"{len(photos)} FER2013 train crops, {len(margins)} with one centred detection, {none} without, {several} with several")
    for label, v in (("margin", margins), ("down", downs), ("right", rights)):
        q = np.percentile(v, [25, 50, 75])
        print(f"{label:>7}: median {q[1]:+.3f}  quartiles {q[0]:+.3f} .. {q[2]:+.3f}  mean {np.mean(v):+.3f}")


if __name__ == "__main__":
    main()
