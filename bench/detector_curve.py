"""The face detector's operating curve on the development set (issue 15): recall and false faces per photo for each
score threshold, per second-pass trigger. This is what FaceScoreThreshold and FaceFineTrigger were chosen from.

    /usr/bin/python3 bench/make_face_devset.py --lfw-train /work/splits/lfw-train --out /work/devset15
    /usr/bin/python3 bench/detector_curve.py --moodbot src/MoodBot/bin/Release/net10.0/moodbot --devset /work/devset15 \
        --csv docs/detector-curve.csv

Per trigger, one `moodbot score-faces --detections` run at the lowest threshold gives every box with its score; higher
thresholds are read off by dropping the boxes under them and matching again exactly as score-faces does (IoU >= 0.4,
one-to-one, best IoU first). That costs one pass per trigger instead of one per point; it differs from a run at that
threshold only where a sub-threshold candidate would have nudged a merged box or changed whether the second level
runs, so the chosen point is checked afterwards with a real `score-faces` run at it (docs/vision.md lists both).
Only the development set is used: never ../shared/photos, the group-shot scenes or the LFW/CK+ test splits.
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import tempfile
from pathlib import Path

MIN_IOU = 0.4


def iou(a: list[int], b: list[int]) -> float:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    i = w * h
    return i / (a[2] * a[3] + b[2] * b[3] - i)


def score(truth: dict, found: dict, threshold: float) -> dict:
    faces = hit = falses = singles = photos = 0
    small = small_hit = 0
    for name, t in truth.items():
        if name not in found:
            continue
        photos += 1
        d = found[name]
        dets = [b for b, s in zip(d["faces"], d["scores"]) if s >= threshold]
        gt = t["faces"]
        pairs = sorted(((iou(g, b), i, j) for i, g in enumerate(gt) for j, b in enumerate(dets)), reverse=True)
        mg, md = set(), set()
        for v, i, j in pairs:
            if v < MIN_IOU:
                break
            if i not in mg and j not in md:
                mg.add(i)
                md.add(j)
        extra = len(dets) - len(md)
        faces += len(gt)
        hit += len(mg)
        small += sum(1 for g in gt if g[2] < 48)
        small_hit += sum(1 for i in mg if gt[i][2] < 48)
        falses += extra
        singles += 1 if extra > 0 and len(gt) == 1 else 0
    return {"threshold": threshold, "photos": photos, "faces": faces, "found": hit, "recall": round(hit / faces, 4),
            "recall_under_48px": round(small_hit / small, 4) if small else None,
            "false_faces": falses, "false_per_photo": round(falses / photos, 4), "singles_with_extra": singles}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--moodbot", type=Path, required=True)
    p.add_argument("--devset", type=Path, required=True)
    p.add_argument("--triggers", type=float, nargs="+", default=[0.10, 0.15, 0.20, 1.0])
    p.add_argument("--thresholds", type=float, nargs="+", default=[0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85])
    p.add_argument("--csv", type=Path)
    a = p.parse_args()
    truth = json.loads((a.devset / "boxes.json").read_text())["photos"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for trig in a.triggers:
            out = Path(tmp) / f"found-{trig}.json"
            subprocess.run([str(a.moodbot), "score-faces", str(a.devset / "boxes.json"), str(a.devset), "--thresholds", str(min(a.thresholds)),
                            "--set", f"FaceFineTrigger={trig}", "--detections", str(out)], check=True, capture_output=True)
            found = json.loads(out.read_text())["photos"]
            for t in a.thresholds:
                r = {"trigger": trig, **score(truth, found, t)}
                rows.append(r)
                print(r, flush=True)
    if a.csv:
        with a.csv.open("w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)


if __name__ == "__main__":
    main()
