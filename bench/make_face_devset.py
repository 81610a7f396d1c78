"""Builds the face detector's development set (issue 15): photos with known face boxes, made only from the LFW *train*
split, so nothing the detector is tested with (shared photos, group-shot tests, LFW/CK+ test splits, held-back sets)
is used to choose its threshold or second-pass trigger.

    /usr/bin/python3 bench/make_face_devset.py --lfw-train /work/splits/lfw-train --out /work/devset15

Writes <out>/*.jpg and <out>/boxes.json in the format `moodbot score-faces` reads. Nothing is committed: the photos
derive from LFW (research use only). Three kinds of photo, all deterministic (seeded):

- `single-*`: one LFW crop as it is (a tight portrait; any second box is a false face);
- `portrait-*`: one LFW crop pasted large (25-60 % of the short side) on a cluttered synthetic background;
- `group-*`: 2-14 crops pasted at 3-25 % of the short side on a cluttered background, canvases from 1:3 to 3:1.

The face box inside an LFW crop is a fixed fraction of the crop (FACE_BOX below: LFW-expressions crops are loosely
aligned, face centred); it was checked against the detector's own boxes on the raw crops (median IoU in models/README.md).
Backgrounds are procedural (gradients, blurred shapes, lines, text, noise) because there is no face-free photo set here:
they test false faces on clutter, not on real buildings.
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import cv2
import numpy as np

# x, y, side of the face square as fractions of the crop's width (crops are square or close to it).
FACE_BOX = (0.15, 0.17, 0.70)
CANVASES = [(1280, 960), (1920, 1080), (1080, 1350), (1600, 900), (960, 1280), (2400, 900), (900, 2400), (1200, 400), (640, 480), (3000, 1000)]


def background(rng: random.Random, w: int, h: int) -> np.ndarray:
    nr = np.random.default_rng(rng.randrange(1 << 30))
    c0 = np.array([rng.randrange(256) for _ in range(3)], np.float32)
    c1 = np.array([rng.randrange(256) for _ in range(3)], np.float32)
    t = np.linspace(0, 1, h if rng.random() < 0.5 else w, dtype=np.float32)
    grad = (c0[None, :] * (1 - t[:, None]) + c1[None, :] * t[:, None])
    img = np.repeat(grad[:, None, :], w, 1) if grad.shape[0] == h else np.repeat(grad[None, :, :], h, 0)
    img = np.ascontiguousarray(img)
    for _ in range(rng.randrange(5, 40)):
        col = tuple(rng.randrange(256) for _ in range(3))
        kind = rng.random()
        x, y = rng.randrange(w), rng.randrange(h)
        s = rng.randrange(10, max(11, min(w, h) // 3))
        if kind < 0.35:
            cv2.rectangle(img, (x, y), (x + s, y + rng.randrange(5, s + 6)), col, -1)
        elif kind < 0.6:
            cv2.ellipse(img, (x, y), (s // 2 + 1, rng.randrange(3, s // 2 + 4)), rng.randrange(180), 0, 360, col, -1)
        elif kind < 0.85:
            cv2.line(img, (x, y), (rng.randrange(w), rng.randrange(h)), col, rng.randrange(1, 8))
        else:
            cv2.putText(img, "".join(rng.choice("ABCDEFGHIJK0123456789 ") for _ in range(8)), (x, y), cv2.FONT_HERSHEY_SIMPLEX,
                        rng.uniform(0.5, 3), col, rng.randrange(1, 5))
    k = rng.choice([1, 3, 5, 9])
    img = cv2.GaussianBlur(img, (k, k), 0)
    img += nr.normal(0, rng.uniform(2, 12), img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def paste(canvas: np.ndarray, crop: np.ndarray, x: int, y: int, side: int) -> list[int]:
    """Pastes the crop so that its face square is side px at (x, y); returns the face box. Soft oval mask: no hard edge."""
    fx, fy, fs = FACE_BOX
    k = side / (fs * crop.shape[1])
    cw, ch = max(1, round(crop.shape[1] * k)), max(1, round(crop.shape[0] * k))
    img = cv2.resize(crop, (cw, ch), interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
    ox, oy = x - round(fx * crop.shape[1] * k), y - round(fy * crop.shape[1] * k)
    mask = np.zeros((ch, cw), np.float32)
    cv2.ellipse(mask, (cw // 2, ch // 2), (int(cw * 0.48), int(ch * 0.5)), 0, 0, 360, 1.0, -1)
    blur = max(3, (min(cw, ch) // 10) | 1)
    mask = cv2.GaussianBlur(mask, (blur, blur), 0)[:, :, None]
    H, W = canvas.shape[:2]
    x0, y0, x1, y1 = max(0, ox), max(0, oy), min(W, ox + cw), min(H, oy + ch)
    if x1 <= x0 or y1 <= y0:
        return [x, y, side, side]
    sub = img[y0 - oy:y1 - oy, x0 - ox:x1 - ox].astype(np.float32)
    m = mask[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
    region = canvas[y0:y1, x0:x1].astype(np.float32)
    canvas[y0:y1, x0:x1] = np.clip(m * sub + (1 - m) * region, 0, 255).astype(np.uint8)
    return [x, y, side, side]


def load(path: Path) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    return img


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--lfw-train", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--singles", type=int, default=400)
    p.add_argument("--portraits", type=int, default=200)
    p.add_argument("--groups", type=int, default=300)
    p.add_argument("--seed", type=int, default=15)
    a = p.parse_args()
    rng = random.Random(a.seed)
    crops = sorted(x for x in a.lfw_train.rglob("*.jpg"))
    if not crops:
        raise SystemExit(f"no .jpg under {a.lfw_train}")
    # Only near-square crops: the face-box fraction assumes the crop frames the face as most LFW-expressions crops do.
    usable = []
    for c in crops:
        img = load(c)
        if img is not None and img.shape[0] >= 100 and 0.9 <= img.shape[1] / img.shape[0] <= 1.1:
            usable.append(c)
    a.out.mkdir(parents=True, exist_ok=True)
    photos: dict[str, dict] = {}
    for i, c in enumerate(rng.sample(usable, min(a.singles, len(usable)))):
        name = f"single-{i:04d}.jpg"
        img = load(c)
        s = img.shape[1]
        cv2.imwrite(str(a.out / name), img, [cv2.IMWRITE_JPEG_QUALITY, 92])
        photos[name] = {"faces": [[round(FACE_BOX[0] * s), round(FACE_BOX[1] * s), round(FACE_BOX[2] * s), round(FACE_BOX[2] * s)]]}
    for i in range(a.portraits):
        w, h = rng.choice(CANVASES[:6])
        canvas = background(rng, w, h)
        side = round(min(w, h) * rng.uniform(0.25, 0.6))
        x, y = rng.randrange(0, w - side), rng.randrange(0, max(1, h - side))
        box = paste(canvas, load(rng.choice(usable)), x, y, side)
        name = f"portrait-{i:04d}.jpg"
        cv2.imwrite(str(a.out / name), canvas, [cv2.IMWRITE_JPEG_QUALITY, rng.randrange(70, 95)])
        photos[name] = {"faces": [box]}
    for i in range(a.groups):
        w, h = rng.choice(CANVASES)
        canvas = background(rng, w, h)
        n = rng.randrange(2, 15)
        placed: list[list[int]] = []
        for _ in range(n * 30):
            if len(placed) == n:
                break
            short = min(w, h)
            side = max(20, round(short * np.exp(rng.uniform(np.log(0.03), np.log(0.25)))))
            # The whole crop must fit, with a little room, so that no face is cut by the canvas edge.
            pad = round(side * 0.3)
            if w - side - 2 * pad <= 0 or h - side - 2 * pad <= 0:
                continue
            x, y = rng.randrange(pad, w - side - pad), rng.randrange(pad, h - side - pad)
            grow = [x - pad, y - pad, side + 2 * pad, side + 2 * pad]
            if any(not (grow[0] + grow[2] <= b[0] or b[0] + b[2] <= grow[0] or grow[1] + grow[3] <= b[1] or b[1] + b[3] <= grow[1])
                   for b in placed):
                continue
            placed.append(paste(canvas, load(rng.choice(usable)), x, y, side))
        name = f"group-{i:04d}.jpg"
        cv2.imwrite(str(a.out / name), canvas, [cv2.IMWRITE_JPEG_QUALITY, rng.randrange(70, 95)])
        photos[name] = {"faces": placed}
    about = ("Face detector development set (issue 15) made by bench/make_face_devset.py from the LFW train split: "
             f"seed {a.seed}, face box = crop fraction {FACE_BOX}. Not for testing.")
    (a.out / "boxes.json").write_text(json.dumps({"about": about, "photos": photos}, indent=0))
    print(f"{len(photos)} photos, {sum(len(p['faces']) for p in photos.values())} faces -> {a.out}")


if __name__ == "__main__":
    main()
