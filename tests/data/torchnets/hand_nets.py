"""Hand-written PyTorch models for the import tests (written here, not by mncost's builder):
every construct the importer maps, in the shapes users write them."""

import torch
from torch import nn
import torch.nn.functional as F


class SqueezeExcite(nn.Module):
    def __init__(self, channels: int, squeeze: int) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.reduce = nn.Conv2d(channels, squeeze, 1)
        self.expand = nn.Conv2d(squeeze, channels, 1)

    def forward(self, x):
        s = F.relu(self.reduce(self.pool(x)))
        return x * torch.sigmoid(self.expand(s))


class Residual(nn.Module):
    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(channels, channels * 4, 1, bias=False), nn.BatchNorm2d(channels * 4),
            nn.Hardswish(),
            nn.Conv2d(channels * 4, channels * 4, 5, padding=2, groups=channels * 4,
                      bias=False),
            nn.BatchNorm2d(channels * 4), nn.Hardswish(),
            SqueezeExcite(channels * 4, channels),
            nn.Conv2d(channels * 4, channels, 1, bias=False), nn.BatchNorm2d(channels))

    def forward(self, x):
        return x + self.conv(x)


class Zoo(nn.Module):
    """Stem, max pool, a residual inverted bottleneck with SE and hardswish, two branches
    joined by cat, a separable pair, a windowed average pool, then mean + linear."""

    def __init__(self, classes: int = 10) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1, bias=False),
                                  nn.BatchNorm2d(16), nn.ReLU6(inplace=True))
        self.pool = nn.MaxPool2d(3, stride=2, padding=1)
        self.block = Residual(16)
        self.left = nn.Conv2d(16, 8, 1)
        self.right = nn.Sequential(nn.Conv2d(16, 8, 3, padding=1), nn.SiLU())
        self.separable = nn.Sequential(
            nn.Conv2d(16, 16, 3, stride=2, padding=1, groups=16, bias=False),
            nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 1, bias=False), nn.BatchNorm2d(32), nn.ReLU())
        self.smooth = nn.AvgPool2d(2)
        self.head = nn.Linear(32, classes)
        self.dropout = nn.Dropout(0.1)

    def forward(self, x):
        x = self.pool(self.stem(x))
        x = self.block(x)
        x = torch.cat([self.left(x), self.right(x)], dim=1)
        x = self.smooth(self.separable(x))
        x = x.mean([2, 3])
        return self.head(self.dropout(x))


class Unsupported(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.act = nn.GELU()
        self.norm = nn.LayerNorm([8])

    def forward(self, x):
        x = self.act(self.conv(x))
        x = x.permute(0, 2, 3, 1)
        return self.norm(x)


class Dynamic(nn.Module):
    """Control flow on a tensor value: torch.fx cannot trace it."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)

    def forward(self, x):
        if x.sum() > 0:
            return self.conv(x)
        return x


def zoo() -> nn.Module:
    return Zoo()


def zoo_wider() -> nn.Module:
    """Like zoo, but the classifier has 12 classes: a model the zoo spec does not describe."""
    return Zoo(classes=12)


def broken() -> nn.Module:
    raise RuntimeError("the factory needs a config file")


def not_a_model():
    return 42


def pretrained():
    """A factory that fetches weights, as torchvision's weights=... does."""
    model = Zoo()
    model.load_state_dict(torch.hub.load_state_dict_from_url(
        "https://example.invalid/zoo.pth", progress=False))
    return model


class Legacy(nn.Module):
    """Older conventions: pools with ceil_mode (SqueezeNet, GoogLeNet) and module names with
    a dash (RegNet's block1-0)."""

    def __init__(self) -> None:
        super().__init__()
        self.add_module("stem-0", nn.Conv2d(3, 8, 3, stride=2))
        self.pool = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.smooth = nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)
        self.head = nn.Linear(8, 4)

    def forward(self, x):
        x = self.smooth(self.pool(getattr(self, "stem-0")(x)))
        return self.head(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def with_unused_head() -> nn.Module:
    """zoo with an auxiliary head forward never calls (GoogLeNet's aux heads in eval mode)."""
    model = Zoo()
    model.aux = nn.Linear(32, 10)
    return model
