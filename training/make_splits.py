"""Deterministic, identity-disjoint train/test splits of the real-photo sets in ../shared, as ImageFolders of symlinks.

    /usr/bin/python3 training/make_splits.py --out /work/splits

CK+ is split by subject and LFW expressions by person, so no identity (and no near-duplicate frame of one sequence)
is on both sides. A name goes to the test side when the first byte of sha256("moodbot-split:" + name) is below
30 % of 256: stable across machines and independent of file order. The test sides are never used for training or
for choosing anything; only the train sides are (training, and the detector's development set).
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import os
import re
from pathlib import Path

CLASSES = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
TEST_FRACTION = 0.30


def is_test(identity: str) -> bool:
    return hashlib.sha256(f"moodbot-split:{identity}".encode()).digest()[0] < int(256 * TEST_FRACTION)


def person_of(lfw_file: str) -> str:
    # LFW files are <First_Last>_<nnnn>.jpg: the person is everything before the running number.
    return re.sub(r"_\d+\.[A-Za-z]+$", "", Path(lfw_file).name)


def link_all(out: Path, name: str, rows: list[tuple[Path, str]]) -> dict[str, int]:
    counts = {c: 0 for c in CLASSES}
    for c in CLASSES:
        (out / name / c).mkdir(parents=True, exist_ok=True)
    for src, cls in rows:
        dst = out / name / cls / src.name
        if not dst.exists():
            os.symlink(src.resolve(), dst)
        counts[cls] += 1
    return counts


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--shared", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args()
    sets = {"ckplus-train": [], "ckplus-test": [], "lfw-train": [], "lfw-test": []}
    ck = a.shared / "datasets" / "ckplus48"
    with open(ck / "labels.csv", newline="") as f:
        for r in csv.DictReader(f):
            side = "test" if is_test(r["subject"]) else "train"
            sets[f"ckplus-{side}"].append((ck / r["file"], r["class"]))
    lfw = a.shared / "datasets" / "lfw-expressions"
    with open(lfw / "labels.csv", newline="") as f:
        for r in csv.DictReader(f):
            if r["class"] not in CLASSES:
                continue  # contempt has no FER2013 class
            side = "test" if is_test(person_of(r["file"])) else "train"
            sets[f"lfw-{side}"].append((lfw / r["file"], r["class"]))
    for name, rows in sets.items():
        counts = link_all(a.out, name, rows)
        print(f"{name}: {len(rows)} images {counts}")


if __name__ == "__main__":
    main()
