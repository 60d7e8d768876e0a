"""torchvision's models for the import tests. They import because tests/conftest.py declares
the two op schemas this machine's CUDA-only torchvision build lacks (shared/FAMILY.md) before
any test runs; mncost itself never imports torchvision."""

from torchvision.models import (efficientnet_b0, mnasnet0_5, mobilenet_v2,  # noqa: F401
                                mobilenet_v3_large, mobilenet_v3_small)


def mobilenet_v2_075():
    return mobilenet_v2(width_mult=0.75)
