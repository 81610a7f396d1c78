"""Post-training int8 quantisation of the shipped emotion model, written as a QDQ ONNX graph.

    /usr/bin/python3 training/quantize.py --model models/emotion.onnx --out models/emotion.int8.onnx

What it does, in order:
1. recovers the float `EmotionNet` from the ONNX file (`onnx_weights.py`, exact);
2. runs FER2013 *train* faces and their mirrors (never val or test) through it and records the range of every
   activation that will be stored as uint8;
3. picks the range rule (min/max or a high percentile) by simulated accuracy on *other* train faces, against the float
   net on the same faces;
4. writes a QDQ graph: per-output-channel symmetric int8 convolution weights, int32 biases, uint8 activations
   (QuantizeLinear -> DequantizeLinear around every convolution, residual add, pooling). ONNX Runtime fuses these
   into QLinearConv / QLinearAdd / QLinearGlobalAveragePool kernels at load time. The face and its mirror (the TTA)
   run as one batch of 2N; the classifier head (256 x 7) stays float.
5. writes `<out>.parity.json` (simulated probabilities of the first 512 val faces, with the tolerance the C# parity
   test applies) and `<out>.report.json`.

`--weight-bits 7` (default) keeps every u8 x s8 pair sum inside int16: AVX2 CPUs without VNNI multiply with
`vpmaddubsw`, which saturates at 32767 when two 255 x 127 products are added; 7-bit weights (|w| <= 63) cannot.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from torch import nn

from fer_data import CLASSES, load_split
from model import PIXEL_MEAN, PIXEL_STD
from onnx_weights import load_from_onnx


# ----------------------------------------------------------------------------------------------------------------
# The float network, unrolled: every convolution with its folded bias, and the points where activations are stored
# as uint8 ("q" calls). The same walk records ranges, simulates the int8 graph and builds the ONNX nodes.
# ----------------------------------------------------------------------------------------------------------------

def folded_convs(net: nn.Module) -> list[tuple[np.ndarray, np.ndarray]]:
    convs = [m for m in net.modules() if isinstance(m, nn.Conv2d)]
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    out = []
    for c, b in zip(convs, bns):
        # onnx_weights makes each BatchNorm an identity plus bias; fold it back exactly in case it is not.
        scale = (b.weight / torch.sqrt(b.running_var + b.eps)).detach()
        w = c.weight.detach() * scale[:, None, None, None]
        bias = (b.bias - b.running_mean * scale).detach()
        out.append((w.numpy().astype(np.float32), bias.numpy().astype(np.float32)))
    return out


class Walk:
    """Runs the unrolled net. `q(name, x)` is the hook at every uint8 activation."""

    def __init__(self, convs, head_w, head_b, q):
        self.convs = [(torch.from_numpy(w), torch.from_numpy(b)) for w, b in convs]
        self.head_w = torch.from_numpy(head_w)
        self.head_b = torch.from_numpy(head_b)
        self.q = q
        self.wq = None  # per-conv weights used (float or fake-quantised)

    def conv(self, i, x, relu):
        w, b = self.wq[i] if self.wq is not None else self.convs[i]
        y = F.conv2d(x, w, b, padding=1)
        return F.relu(y) if relu else y

    def logits(self, x):
        q = self.q
        h = q("in", (x - PIXEL_MEAN) / PIXEL_STD)
        h = q("c0", self.conv(0, h, True))
        h = q("c1", self.conv(1, h, True))
        h = F.max_pool2d(h, 2)
        i = 2
        for stage, pool in (("s1", True), ("s2", True), ("s3", False)):
            h = q(f"{stage}.in", self.conv(i, h, True))
            a = q(f"{stage}.a", self.conv(i + 1, h, True))
            b = q(f"{stage}.b", self.conv(i + 2, a, False))
            h = q(f"{stage}.out", F.relu(h + b))
            if pool:
                h = F.max_pool2d(h, 2)
            i += 3
        g = q("gap", h.mean((2, 3)))
        return g @ self.head_w.T + self.head_b


ACT_ORDER = ["in", "c0", "c1"] + [f"{s}.{k}" for s in ("s1", "s2", "s3") for k in ("in", "a", "b", "out")] + ["gap"]


def tta_logits(walk: Walk, x: torch.Tensor) -> torch.Tensor:
    """Face and mirror as one batch of 2N, logits averaged (what the exported graph does)."""
    both = torch.cat([x, x.flip(3)])
    out = walk.logits(both)
    n = x.shape[0]
    return (out[:n] + out[n:]) * 0.5


# ----------------------------------------------------------------------------------------------------------------
# Ranges and quantisation parameters
# ----------------------------------------------------------------------------------------------------------------

class Recorder:
    """Keeps a sample of every activation so min/max and percentiles can be read afterwards."""

    def __init__(self, per_batch: int = 20000, seed: int = 0):
        self.samples: dict[str, list[np.ndarray]] = {}
        self.mins: dict[str, float] = {}
        self.maxs: dict[str, float] = {}
        self.per_batch = per_batch
        self.rng = np.random.default_rng(seed)

    def __call__(self, name, x):
        v = x.detach().reshape(-1).numpy()
        self.mins[name] = min(self.mins.get(name, np.inf), float(v.min()))
        self.maxs[name] = max(self.maxs.get(name, -np.inf), float(v.max()))
        idx = self.rng.integers(0, v.size, min(self.per_batch, v.size))
        self.samples.setdefault(name, []).append(v[idx])
        return x

    def ranges(self, rule: str) -> dict[str, tuple[float, float]]:
        out = {}
        for name in self.samples:
            if rule == "minmax":
                lo, hi = self.mins[name], self.maxs[name]
            else:
                p = float(rule)
                s = np.concatenate(self.samples[name])
                lo, hi = float(np.percentile(s, 100 - p)), float(np.percentile(s, p))
                lo = min(lo, 0.0) if self.mins[name] < 0 else 0.0
            out[name] = (min(lo, 0.0), max(hi, 1e-6))
        return out


def act_params(lo: float, hi: float) -> tuple[float, int]:
    """uint8 affine parameters with 0 exactly representable (padding and ReLU need it)."""
    scale = (hi - lo) / 255.0
    zp = int(np.clip(round(-lo / scale), 0, 255))
    return float(scale), zp


def weight_params(w: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    qmax = 2 ** (bits - 1) - 1
    m = np.abs(w).reshape(w.shape[0], -1).max(1)
    scale = np.maximum(m, 1e-12) / qmax
    q = np.clip(np.round(w / scale[:, None, None, None]), -qmax, qmax).astype(np.int8)
    return q, scale.astype(np.float32)


def fake_act(x: torch.Tensor, scale: float, zp: int) -> torch.Tensor:
    return (torch.clamp(torch.round(x / scale) + zp, 0, 255) - zp) * scale


def make_sim(convs, head_w, head_b, params, bits):
    """The int8 graph in float arithmetic: exact except for the requantisation rounding of the integer kernels."""
    def q(name, x):
        s, z = params[name]
        return fake_act(x, s, z)

    walk = Walk(convs, head_w, head_b, q)
    wq = []
    # Each conv's input activation, for the int32 bias scale.
    conv_inputs = ["in", "c0", "c1", "s1.in", "s1.a", "s1.out", "s2.in", "s2.a", "s2.out", "s3.in", "s3.a"]
    for i, (w, b) in enumerate(convs):
        qw, sw = weight_params(w, bits)
        sx = params[conv_inputs[i]][0]
        qb = np.round(b / (sx * sw)).astype(np.int64)
        wq.append((torch.from_numpy(qw.astype(np.float32) * sw[:, None, None, None]),
                   torch.from_numpy((qb * sx * sw).astype(np.float32))))
    walk.wq = wq
    return walk, conv_inputs


# ----------------------------------------------------------------------------------------------------------------
# The QDQ ONNX graph
# ----------------------------------------------------------------------------------------------------------------

def build_graph(convs, head_w, head_b, params, conv_inputs, bits, inv_t) -> onnx.ModelProto:
    nodes, inits = [], []

    def init(name, arr):
        inits.append(numpy_helper.from_array(arr, name))
        return name

    def qdq(x, name):
        s, z = params[name]
        sn, zn = init(f"{name}.scale", np.array(s, np.float32)), init(f"{name}.zp", np.array(z, np.uint8))
        nodes.append(helper.make_node("QuantizeLinear", [x, sn, zn], [f"{name}.q"], name=f"{name}.Q"))
        nodes.append(helper.make_node("DequantizeLinear", [f"{name}.q", sn, zn], [f"{name}.dq"], name=f"{name}.DQ"))
        return f"{name}.dq"

    def same_qdq(x, like, tag):
        """Q/DQ with the parameters of `like` (pooling keeps them, so ORT runs it on uint8)."""
        sn, zn = f"{like}.scale", f"{like}.zp"
        nodes.append(helper.make_node("QuantizeLinear", [x, sn, zn], [f"{tag}.q"], name=f"{tag}.Q"))
        nodes.append(helper.make_node("DequantizeLinear", [f"{tag}.q", sn, zn], [f"{tag}.dq"], name=f"{tag}.DQ"))
        return f"{tag}.dq"

    def conv(i, x, relu, out_name):
        w, b = convs[i]
        qw, sw = weight_params(w, bits)
        sx = params[conv_inputs[i]][0]
        qb = np.round(b / (sx * sw)).astype(np.int32)
        wn = init(f"conv{i}.w", qw)
        wsn = init(f"conv{i}.w.scale", sw)
        wzn = init(f"conv{i}.w.zp", np.zeros(len(sw), np.int8))
        bn = init(f"conv{i}.b", qb)
        bsn = init(f"conv{i}.b.scale", (sx * sw).astype(np.float32))
        bzn = init(f"conv{i}.b.zp", np.zeros(len(sw), np.int32))
        nodes.append(helper.make_node("DequantizeLinear", [wn, wsn, wzn], [f"conv{i}.w.dq"], axis=0, name=f"conv{i}.w.DQ"))
        nodes.append(helper.make_node("DequantizeLinear", [bn, bsn, bzn], [f"conv{i}.b.dq"], axis=0, name=f"conv{i}.b.DQ"))
        y = f"conv{i}.y"
        nodes.append(helper.make_node("Conv", [x, f"conv{i}.w.dq", f"conv{i}.b.dq"], [y], pads=[1, 1, 1, 1],
                                      kernel_shape=[3, 3], name=f"conv{i}"))
        if relu:
            nodes.append(helper.make_node("Relu", [y], [f"conv{i}.relu"], name=f"conv{i}.Relu"))
            y = f"conv{i}.relu"
        return qdq(y, out_name)

    def pool(x, like, tag):
        nodes.append(helper.make_node("MaxPool", [x], [f"{tag}.y"], kernel_shape=[2, 2], strides=[2, 2], name=tag))
        return same_qdq(f"{tag}.y", like, tag)

    # Face and mirror as one batch (the TTA costs one Run with twice the rows, not two passes).
    init("flip.starts", np.array([-1], np.int64))
    init("flip.ends", np.array([np.iinfo(np.int64).min], np.int64))
    init("flip.axes", np.array([3], np.int64))
    init("flip.steps", np.array([-1], np.int64))
    nodes.append(helper.make_node("Slice", ["face", "flip.starts", "flip.ends", "flip.axes", "flip.steps"], ["mirror"], name="mirror"))
    nodes.append(helper.make_node("Concat", ["face", "mirror"], ["both"], axis=0, name="both"))
    init("mean", np.array(PIXEL_MEAN, np.float32))
    init("std", np.array(PIXEL_STD, np.float32))
    nodes.append(helper.make_node("Sub", ["both", "mean"], ["centred"], name="centre"))
    nodes.append(helper.make_node("Div", ["centred", "std"], ["normalised"], name="normalise"))
    h = qdq("normalised", "in")
    h = conv(0, h, True, "c0")
    h = conv(1, h, True, "c1")
    h = pool(h, "c1", "pool0")
    i = 2
    for stage, has_pool in (("s1", True), ("s2", True), ("s3", False)):
        h = conv(i, h, True, f"{stage}.in")
        a = conv(i + 1, h, True, f"{stage}.a")
        b = conv(i + 2, a, False, f"{stage}.b")
        nodes.append(helper.make_node("Add", [h, b], [f"{stage}.sum"], name=f"{stage}.Add"))
        nodes.append(helper.make_node("Relu", [f"{stage}.sum"], [f"{stage}.relu"], name=f"{stage}.Relu"))
        h = qdq(f"{stage}.relu", f"{stage}.out")
        if has_pool:
            h = pool(h, f"{stage}.out", f"{stage}.pool")
        i += 3
    nodes.append(helper.make_node("GlobalAveragePool", [h], ["gap.y"], name="gap"))
    g = qdq("gap.y", "gap")
    nodes.append(helper.make_node("Flatten", [g], ["features"], axis=1, name="flatten"))
    init("head.w", head_w.astype(np.float32))
    init("head.b", head_b.astype(np.float32))
    nodes.append(helper.make_node("Gemm", ["features", "head.w", "head.b"], ["logits2"], transB=1, name="head"))
    init("split.shape", np.array([2, -1, len(CLASSES)], np.int64))
    nodes.append(helper.make_node("Reshape", ["logits2", "split.shape"], ["pairs"], name="pairs"))
    nodes.append(helper.make_node("ReduceMean", ["pairs"], ["logits"], axes=[0], keepdims=0, name="tta_mean"))
    init("inv_t", np.array(inv_t, np.float32))
    nodes.append(helper.make_node("Mul", ["logits", "inv_t"], ["scaled"], name="temperature"))
    nodes.append(helper.make_node("Softmax", ["scaled"], ["probabilities"], axis=1, name="softmax"))

    graph = helper.make_graph(
        nodes, "emotion_int8",
        [helper.make_tensor_value_info("face", TensorProto.FLOAT, ["batch", 1, 48, 48])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", len(CLASSES)])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="moodbot training/quantize.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def macs(convs) -> int:
    sides = [48, 48] + [24] * 3 + [12] * 3 + [6] * 3
    return int(sum(w.shape[0] * w.shape[1] * 9 * s * s for (w, _), s in zip(convs, sides)) + 256 * 7)


def batched(fn, x: np.ndarray, batch: int = 512) -> torch.Tensor:
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out.append(fn(torch.from_numpy(x[i:i + batch]).float().div_(255).unsqueeze(1)))
    return torch.cat(out)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", type=Path, default=Path("models/emotion.onnx"))
    p.add_argument("--data", type=Path, default=Path("../shared/datasets/fer2013"))
    p.add_argument("--out", type=Path, default=Path("models/emotion.int8.onnx"))
    p.add_argument("--calib", type=int, default=2048, help="train faces for the ranges (each also mirrored)")
    p.add_argument("--select", type=int, default=1500, help="other train faces that choose the range rule")
    p.add_argument("--weight-bits", type=int, default=7, choices=[7, 8])
    p.add_argument("--rules", nargs="+", default=["minmax"],
                   help="range rules to compare: minmax and/or percentiles such as 99.99 (each costs one pass over --select)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)

    net, temperature = load_from_onnx(a.model)
    convs = folded_convs(net)
    head_w = net.head[3].weight.detach().numpy().astype(np.float32)
    head_b = net.head[3].bias.detach().numpy().astype(np.float32)
    cache = Path("training/runs/.cache")
    xtr, ytr, _ = load_split(a.data / "train", cache)
    xva, yva, vpaths = load_split(a.data / "val", cache)
    rng = np.random.default_rng(a.seed)
    order = rng.permutation(len(xtr))
    calib, select = order[:a.calib], order[a.calib:a.calib + a.select]

    float_walk = Walk(convs, head_w, head_b, lambda n, x: x)
    # The unrolled walk must be the shipped model (checked against the fp32 parity fixture, which ONNX Runtime matches).
    fixture = json.loads(a.model.with_suffix(".parity.json").read_text())
    ref = np.array(fixture["probabilities"], np.float32)
    got = torch.softmax(batched(lambda x: tta_logits(float_walk, x), xva[:len(ref)]) / temperature, 1).numpy()
    drift = float(np.abs(got - ref).max())
    print(f"float walk vs {a.model.name} parity fixture: max |diff| {drift:.2e}")
    if drift > 1e-4:
        raise SystemExit("the recovered network does not reproduce the model; stopping")

    rec = Recorder(seed=a.seed)
    rec_walk = Walk(convs, head_w, head_b, rec)
    batched(lambda x: tta_logits(rec_walk, x), xtr[calib], batch=256)

    float_sel = batched(lambda x: tta_logits(float_walk, x), xtr[select]).argmax(1).numpy()
    float_acc = float((float_sel == ytr[select]).mean())
    print(f"float on {len(select)} selection train faces: {float_acc:.4f}")
    results = {}
    for rule in a.rules:
        params = {k: act_params(*v) for k, v in rec.ranges(rule).items()}
        sim, _ = make_sim(convs, head_w, head_b, params, a.weight_bits)
        pred = batched(lambda x: tta_logits(sim, x), xtr[select]).argmax(1).numpy()
        results[rule] = (float((pred == ytr[select]).mean()), float((pred == float_sel).mean()))
        print(f"rule {rule}: selection accuracy {results[rule][0]:.4f}, agrees with float on {results[rule][1]:.4f}")
    rule = max(results, key=lambda r: (results[r][0], results[r][1]))
    params = {k: act_params(*v) for k, v in rec.ranges(rule).items()}
    sim, conv_inputs = make_sim(convs, head_w, head_b, params, a.weight_bits)

    model = build_graph(convs, head_w, head_b, params, conv_inputs, a.weight_bits, 1.0 / temperature)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(a.out))

    # Only the parity faces: the val accuracy that counts is the C# one (`moodbot evaluate`), run on the written file.
    n = 512
    val_logits = batched(lambda x: tta_logits(sim, x), xva[:n])
    probs = torch.softmax(val_logits / temperature, 1).numpy()
    # ONNX Runtime's integer kernels round each requantised activation once; the simulation rounds the same values in
    # float, so an activation can land one step away. The tolerance below covers that, not a different model.
    parity = {"images": vpaths[:n], "probabilities": [[round(float(v), 7) for v in row] for row in probs],
              "tolerance": 0.02, "note": "simulated int8 (training/quantize.py); integer kernels differ by rounding"}
    a.out.with_suffix(".parity.json").write_text(json.dumps(parity))

    sha = hashlib.sha256(a.out.read_bytes()).hexdigest()
    report = {"source": str(a.model), "source_sha256": hashlib.sha256(a.model.read_bytes()).hexdigest(),
              "calibration": f"{len(calib)} FER2013 train faces + mirrors (seed {a.seed})",
              "range_rule": rule, "rules_on_selection": {k: {"accuracy": round(v[0], 4), "agreement_with_float": round(v[1], 4)} for k, v in results.items()},
              "selection": f"{len(select)} other FER2013 train faces; float accuracy {round(float_acc, 4)}",
              "weight_bits": a.weight_bits, "activations": "uint8 per tensor", "weights": "int8 symmetric per output channel",
              "temperature": temperature,
              "multiply_adds_per_pass": macs(convs), "passes_per_face": 2, "size_bytes": a.out.stat().st_size,
              "float_size_bytes": a.model.stat().st_size, "sha256": sha,
              "activation_params": {k: {"scale": v[0], "zero_point": v[1]} for k, v in params.items()}}
    a.out.with_suffix(".report.json").write_text(json.dumps(report, indent=1))
    print(json.dumps({k: v for k, v in report.items() if k != "activation_params"}, indent=1))


if __name__ == "__main__":
    main()
