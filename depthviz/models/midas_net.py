"""MidasNet_small (MiDaS v2.1 small) as an nn.Module whose state dict is the official one.

A re-implementation of isl-org/MiDaS `midas/midas_net_custom.py` and `midas/blocks.py` on
timm's `tf_efficientnet_lite3` (the official code took the same network from
gen-efficientnet-pytorch via torch.hub). Tensor names and shapes match `midas_v21_small_256.pt`
exactly, so the real checkpoint loads with strict=True.
"""

from __future__ import annotations

import timm
import torch
from torch import nn
from torch.nn import functional as F

from depthviz.models.blocks import FeatureFusionBlock

#: Channels of the four backbone stages MiDaS taps (efficientnet_lite3).
ENCODER_CHANNELS = (32, 48, 136, 384)


def efficientnet_lite3_stages() -> nn.Module:
    """The backbone split into MiDaS' four stages, laid out as the checkpoint expects.

    timm fuses the stem activation into `bn1`; the official layout has it as its own module
    at index 2, so we split it back out.
    """
    effnet = timm.create_model("tf_efficientnet_lite3", pretrained=False)
    stem_act = effnet.bn1.act
    effnet.bn1.act = nn.Identity()
    stages = nn.Module()
    stages.layer1 = nn.Sequential(effnet.conv_stem, effnet.bn1, stem_act, *effnet.blocks[0:2])
    stages.layer2 = nn.Sequential(*effnet.blocks[2:3])
    stages.layer3 = nn.Sequential(*effnet.blocks[3:5])
    stages.layer4 = nn.Sequential(*effnet.blocks[5:9])
    return stages


class Interpolate(nn.Module):
    """Module wrapper around F.interpolate (it sits inside output_conv's Sequential)."""

    def __init__(self, scale_factor: float, mode: str):
        super().__init__()
        self.scale_factor = scale_factor
        self.mode = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.interpolate(x, scale_factor=self.scale_factor, mode=self.mode, align_corners=False)


class MidasNetSmall(nn.Module):
    """MidasNet_small(features=64, backbone="efficientnet_lite3", expand=True, non_negative=True).

    Input: N x 3 x H x W, ImageNet-normalised, H and W multiples of 32.
    Output: N x H x W relative inverse depth (larger = nearer).
    """

    def __init__(self, features: int = 64):
        super().__init__()
        widths = (features, features * 2, features * 4, features * 8)
        self.pretrained = efficientnet_lite3_stages()
        self.scratch = nn.Module()
        for index, (channels_in, channels_out) in enumerate(zip(ENCODER_CHANNELS, widths), 1):
            setattr(self.scratch, f"layer{index}_rn",
                    nn.Conv2d(channels_in, channels_out, kernel_size=3, padding=1, bias=False))
        self.scratch.refinenet4 = FeatureFusionBlock(widths[3], expand=True)
        self.scratch.refinenet3 = FeatureFusionBlock(widths[2], expand=True)
        self.scratch.refinenet2 = FeatureFusionBlock(widths[1], expand=True)
        self.scratch.refinenet1 = FeatureFusionBlock(widths[0], expand=False)
        self.scratch.output_conv = nn.Sequential(
            nn.Conv2d(features, features // 2, kernel_size=3, padding=1),
            Interpolate(scale_factor=2, mode="bilinear"),
            nn.Conv2d(features // 2, 32, kernel_size=3, padding=1),
            nn.ReLU(inplace=False),
            nn.Conv2d(32, 1, kernel_size=1),
            nn.ReLU(inplace=True),  # non_negative=True
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        layer1 = self.pretrained.layer1(x)
        layer2 = self.pretrained.layer2(layer1)
        layer3 = self.pretrained.layer3(layer2)
        layer4 = self.pretrained.layer4(layer3)
        scratch = self.scratch
        path = scratch.refinenet4(scratch.layer4_rn(layer4))
        path = scratch.refinenet3(path, scratch.layer3_rn(layer3))
        path = scratch.refinenet2(path, scratch.layer2_rn(layer2))
        path = scratch.refinenet1(path, scratch.layer1_rn(layer1))
        return scratch.output_conv(path).squeeze(1)


def load_midas_small(weights_path: str, map_location: str = "cpu") -> MidasNetSmall:
    """Build the network and load an official checkpoint strictly; eval mode, fp32."""
    state = torch.load(weights_path, map_location=map_location, weights_only=True)
    if isinstance(state, dict) and "model" in state and "optimizer" in state:
        state = state["model"]  # MiDaS' BaseModel.load accepts training checkpoints too
    model = MidasNetSmall()
    model.load_state_dict(state, strict=True)
    return model.eval()
