"""torchvision's models for the import tests, on this machine's broken torchvision build.

The registries serve torchvision 0.28 only as a CUDA build whose compiled ops do not load next
to the CPU torch; declaring the two op schemas it registers kernels for lets its pure-Python
model definitions import (shared/FAMILY.md). Tests only: mncost never imports torchvision.
"""

import torch

try:
    torch.ops.torchvision.nms  # noqa: B018
except (AttributeError, RuntimeError):
    _library = torch.library.Library("torchvision", "DEF")
    _library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _library.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")

from torchvision.models import efficientnet_b0, mobilenet_v2, mobilenet_v3_small  # noqa: E402,F401


def mobilenet_v2_075():
    return mobilenet_v2(width_mult=0.75)

from torchvision.models import mnasnet0_5, mobilenet_v3_large  # noqa: E402,F401
