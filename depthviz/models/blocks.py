"""Network blocks shared by families: MiDaS' RefineNet-style fusion, reused by Depth Anything V2's
DPT head (isl-org/MiDaS `midas/blocks.py`; tensor names as in both official checkpoints)."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class ResidualConvUnit(nn.Module):
    """relu -> conv -> relu -> conv, plus the input (blocks.ResidualConvUnit_custom, bn=False)."""

    def __init__(self, features: int):
        super().__init__()
        self.conv1 = nn.Conv2d(features, features, kernel_size=3, padding=1, bias=True)
        self.conv2 = nn.Conv2d(features, features, kernel_size=3, padding=1, bias=True)
        self.activation = nn.ReLU(inplace=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv1(self.activation(x))
        out = self.conv2(self.activation(out))
        return out + x


class FeatureFusionBlock(nn.Module):
    """Fuse a decoder path with a skip, upsample (blocks.FeatureFusionBlock_custom): x2, or to
    `size` when given (Depth Anything V2's DPT head passes the next level's size)."""

    def __init__(self, features: int, expand: bool):
        super().__init__()
        out_features = features // 2 if expand else features
        self.out_conv = nn.Conv2d(features, out_features, kernel_size=1, bias=True)
        self.resConfUnit1 = ResidualConvUnit(features)
        self.resConfUnit2 = ResidualConvUnit(features)

    def forward(self, path: torch.Tensor, skip: torch.Tensor | None = None,
                size: tuple[int, int] | None = None) -> torch.Tensor:
        if skip is not None:
            path = path + self.resConfUnit1(skip)
        path = self.resConfUnit2(path)
        resize = {"scale_factor": 2} if size is None else {"size": size}
        path = F.interpolate(path, **resize, mode="bilinear", align_corners=True)
        return self.out_conv(path)
