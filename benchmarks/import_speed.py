"""`mncost.from_torch` + analysis against fvcore's `FlopCountAnalysis(...).total()`, one process.

    python benchmarks/import_speed.py [--runs 7] [--resolution 224]

For each model — torchvision's mobilenet_v3_large and efficientnet_b0 where torchvision
imports, and a hand-written network defined below — both are timed on the same built model,
interleaved run by run after one warm-up each: mncost traces the model with torch.fx and costs
it analytically; fvcore traces it with torch.jit and runs it on a real input. Both totals are
printed next to each other (mncost's mult-adds equal fvcore's conv + linear operators; fvcore's
total() adds batch norm and pooling), with the median times and their ratio. Target (issue "The
PyTorch bridge"): mncost at least 3× faster. Timing lives here, not in the tests.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings


def _torchvision_models():
    """torchvision's factories, or {} where it does not import.

    This machine's torchvision wheel is a CUDA build whose compiled ops do not load next to
    the CPU torch; declaring the two op schemas it registers lets its pure-Python model
    definitions import (shared/FAMILY.md). A benchmark may do this; mncost itself never
    imports torchvision."""
    import torch

    try:
        torch.ops.torchvision.nms  # noqa: B018
    except (AttributeError, RuntimeError):
        library = torch.library.Library("torchvision", "DEF")
        library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        library.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
        globals()["_LIBRARY"] = library
    try:
        from torchvision import models
    except Exception as exc:  # noqa: BLE001
        print(f"torchvision does not import here ({type(exc).__name__}); hand-written net only")
        return {}
    return {"torchvision mobilenet_v3_large": models.mobilenet_v3_large,
            "torchvision efficientnet_b0": models.efficientnet_b0}


def _hand_net():
    import torch
    from torch import nn

    class Block(nn.Module):
        def __init__(self, c: int) -> None:
            super().__init__()
            self.expand = nn.Sequential(nn.Conv2d(c, 4 * c, 1, bias=False),
                                        nn.BatchNorm2d(4 * c), nn.ReLU6())
            self.dw = nn.Sequential(nn.Conv2d(4 * c, 4 * c, 3, padding=1, groups=4 * c,
                                              bias=False), nn.BatchNorm2d(4 * c), nn.ReLU6())
            self.project = nn.Sequential(nn.Conv2d(4 * c, c, 1, bias=False), nn.BatchNorm2d(c))

        def forward(self, x):
            return x + self.project(self.dw(self.expand(x)))

    class HandNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False),
                                      nn.BatchNorm2d(32), nn.ReLU6())
            self.blocks = nn.Sequential(*(Block(32) for _ in range(8)))
            self.head = nn.Linear(32, 1000)

        def forward(self, x):
            x = self.blocks(self.stem(x))
            return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))

    return HandNet()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--resolution", type=int, default=224)
    args = parser.parse_args()

    import torch
    from fvcore.nn import FlopCountAnalysis

    import mncost

    size = args.resolution
    factories = {**_torchvision_models(), "hand-written (8 inverted residuals)": _hand_net}
    print(f"{args.runs} interleaved runs each at {size}×{size}, after one warm-up; "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")

    def with_mncost(model):
        return mncost.analyze(mncost.from_torch(model, size)).mult_adds

    def with_fvcore(model):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            analysis = FlopCountAnalysis(model, torch.zeros(1, 3, size, size))
            analysis.unsupported_ops_warnings(False)
            analysis.uncalled_modules_warnings(False)
            return int(analysis.total()), analysis.by_operator()

    ratios = []
    for name, factory in factories.items():
        model = factory().eval()
        mult_adds = with_mncost(model)          # warm-up, and the numbers to print
        total, by_op = with_fvcore(model)
        ours, theirs = [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            with_mncost(model)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            with_fvcore(model)
            theirs.append(time.perf_counter() - start)
        a, b = statistics.median(ours), statistics.median(theirs)
        ratios.append(b / a)
        conv_linear = int(by_op.get("conv", 0) + by_op.get("linear", 0))
        print(f"\n{name}")
        print(f"  mncost.from_torch + analyze   median {a * 1000:8.1f} ms   "
              f"mult-adds {mult_adds:,}")
        print(f"  fvcore FlopCountAnalysis      median {b * 1000:8.1f} ms   "
              f"total {total:,} (conv + linear {conv_linear:,}"
              f"{', equal' if conv_linear == mult_adds else ', DIFFERENT'})")
        print(f"  mncost is {b / a:.1f}× faster")
    print(f"\nslowest ratio {min(ratios):.1f}× (target: at least 3×)")


if __name__ == "__main__":
    main()
