"""Writes the group-shot test scenes of tests/MoodBot.Vision.Tests/DetectorTests.cs (bbt4.jpg tiled n x n on a 1920x1080
grey frame) as files with their boxes, so `moodbot score-faces` can report them:

    /usr/bin/python3 bench/make_group_shots.py --shared ../shared --truth bench/faces-ground-truth.json --out /tmp/groupshots

These are test photos: they are reported, never used to choose a setting.
"""
import argparse
import json
from pathlib import Path

import cv2
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("--shared", type=Path, required=True)
p.add_argument("--truth", type=Path, required=True)
p.add_argument("--out", type=Path, required=True)
a = p.parse_args()
src = cv2.imread(str(a.shared / "photos" / "bbt4.jpg"), cv2.IMREAD_COLOR)
faces = json.loads(a.truth.read_text())["photos"]["bbt4.jpg"]["faces"]
a.out.mkdir(parents=True, exist_ok=True)
photos = {}
for n in (1, 2, 3, 4):
    k = min(1920 / n / src.shape[1], 1080 / n / src.shape[0])
    tile = cv2.resize(src, None, fx=k, fy=k, interpolation=cv2.INTER_AREA)
    for colour in (False, True):
        scene = np.full((1080, 1920, 3), 128, np.uint8)
        boxes = []
        for i in range(n):
            for j in range(n):
                x0, y0 = i * 1920 // n, j * 1080 // n
                scene[y0:y0 + tile.shape[0], x0:x0 + tile.shape[1]] = tile
                boxes += [[round(x0 + f[0] * k), round(y0 + f[1] * k), round(f[2] * k), round(f[3] * k)] for f in faces]
        if not colour:
            scene = cv2.cvtColor(cv2.cvtColor(scene, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
        name = f"crowd{n}{'-colour' if colour else '-grey'}.png"
        cv2.imwrite(str(a.out / name), scene)
        photos[name] = {"faces": boxes}
(a.out / "boxes.json").write_text(json.dumps({"photos": photos}))
print(len(photos), "scenes")
