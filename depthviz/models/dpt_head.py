"""The DPT head of Depth Anything V2 (`depth_anything_v2/dpt.py: DPTHead`), official key names.

Four ViT token maps -> 1x1 projections -> resized to 4x, 2x, 1x and 1/2x of the patch grid ->
RefineNet-style fusion (MiDaS' blocks, models/blocks.py; every resize bilinear with
align_corners=True) -> a depth map at 14x the patch grid. `use_bn=False` and
`use_clstoken=False`, as in every released checkpoint. Tensor names: `projects.*`,
`resize_layers.*`, `scratch.layer{1-4}_rn`, `scratch.refinenet{1-4}`, `scratch.output_conv1`,
`scratch.output_conv2.{0,2}`.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from depthviz.models.blocks import FeatureFusionBlock

#: Channels of the 32-channel layer before the final 1x1 convolution (upstream head_features_2).
HEAD_FEATURES_2 = 32


class DPTHead(nn.Module):
    """Token maps of four ViT blocks -> N x 1 x 14*gh x 14*gw depth.

    `final_activation` is the layer after `output_conv2.2`: ReLU for relative checkpoints,
    Sigmoid for metric ones (whose output is then scaled by max_depth by the caller).
    """

    def __init__(self, in_channels: int, features: int, out_channels: tuple[int, int, int, int],
                 final_activation: nn.Module, patch_size: int = 14):
        super().__init__()
        self.patch_size = patch_size
        self.projects = nn.ModuleList(
            nn.Conv2d(in_channels, channels, kernel_size=1) for channels in out_channels)
        self.resize_layers = nn.ModuleList([
            nn.ConvTranspose2d(out_channels[0], out_channels[0], kernel_size=4, stride=4),
            nn.ConvTranspose2d(out_channels[1], out_channels[1], kernel_size=2, stride=2),
            nn.Identity(),
            nn.Conv2d(out_channels[3], out_channels[3], kernel_size=3, stride=2, padding=1),
        ])
        self.scratch = nn.Module()
        for index, channels in enumerate(out_channels, 1):
            setattr(self.scratch, f"layer{index}_rn",
                    nn.Conv2d(channels, features, kernel_size=3, padding=1, bias=False))
        for index in range(1, 5):
            setattr(self.scratch, f"refinenet{index}",
                    FeatureFusionBlock(features, expand=False))
        self.scratch.output_conv1 = nn.Conv2d(features, features // 2, kernel_size=3, padding=1)
        self.scratch.output_conv2 = nn.Sequential(
            nn.Conv2d(features // 2, HEAD_FEATURES_2, kernel_size=3, padding=1),
            nn.ReLU(True),
            nn.Conv2d(HEAD_FEATURES_2, 1, kernel_size=1),
            final_activation,
            nn.Identity(),
        )

    def forward(self, tokens: list[torch.Tensor], grid_h: int, grid_w: int) -> torch.Tensor:
        """tokens: four N x (gh*gw) x D patch-token maps (class token already dropped)."""
        layers = []
        for index, x in enumerate(tokens):
            x = x.permute(0, 2, 1).reshape(x.shape[0], x.shape[-1], grid_h, grid_w)
            layers.append(self.resize_layers[index](self.projects[index](x)))
        scratch = self.scratch
        layer1, layer2, layer3, layer4 = (getattr(scratch, f"layer{index}_rn")(layer)
                                          for index, layer in enumerate(layers, 1))
        path = scratch.refinenet4(layer4, size=layer3.shape[2:])
        path = scratch.refinenet3(path, layer3, size=layer2.shape[2:])
        path = scratch.refinenet2(path, layer2, size=layer1.shape[2:])
        path = scratch.refinenet1(path, layer1)
        out = scratch.output_conv1(path)
        out = F.interpolate(out, (grid_h * self.patch_size, grid_w * self.patch_size),
                            mode="bilinear", align_corners=True)
        return scratch.output_conv2(out)
