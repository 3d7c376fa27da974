"""Depth Anything V2 as an nn.Module whose state dict is the official one.

A re-implementation of DepthAnything/Depth-Anything-V2 `depth_anything_v2/dpt.py` (and
`metric_depth/depth_anything_v2/dpt.py`) on timm's `vit_{small,base,large}_patch14_dinov2`.

Key mapping (official checkpoint -> these modules), loaded with strict=True:
- `pretrained.*` -> `self.pretrained`, a timm VisionTransformer: the names are the same
  (`cls_token`, `pos_embed`, `patch_embed.proj`, `blocks.N.{norm1, attn.qkv, attn.proj,
  ls1.gamma, norm2, mlp.fc1, mlp.fc2, ls2.gamma}`, `norm`).
- `pretrained.mask_token` (DINOv2's masked-training token, unused at inference) -> an extra
  parameter registered on the timm model, so the official file loads unchanged and strictly.
- `depth_head.*` -> `self.depth_head`, our DPTHead (dpt_head.py), same names.

The forward pass is DINOv2's, not timm's: the position embedding is resized with
`scale_factor=((gh + 0.1) / 37, (gw + 0.1) / 37)`, bicubic, no antialiasing (timm's
`dynamic_img_size` resize uses `size=` with antialiasing and does not match the checkpoint's
training). The resize is written as two interpolation matrices built from the input's shape, so
a traced graph (OpenVINO) stays exact for every height and width.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import timm
import torch
from torch import nn
from torch.nn import functional as F

from depthviz.models.dpt_head import DPTHead

PATCH_SIZE = 14
#: DINOv2's position-embedding resize adds this to the target grid before computing the scale.
POS_EMBED_OFFSET = 0.1
#: The cubic kernel's free parameter in torch's bicubic interpolation.
CUBIC_A = -0.75


@dataclass(frozen=True)
class EncoderConfig:
    """One row of the upstream README's `model_configs`, plus the blocks the head taps."""

    timm_name: str
    features: int
    out_channels: tuple[int, int, int, int]
    taps: tuple[int, int, int, int]


ENCODERS = {
    "vits": EncoderConfig("vit_small_patch14_dinov2", 64, (48, 96, 192, 384), (2, 5, 8, 11)),
    "vitb": EncoderConfig("vit_base_patch14_dinov2", 128, (96, 192, 384, 768), (2, 5, 8, 11)),
    "vitl": EncoderConfig("vit_large_patch14_dinov2", 256, (256, 512, 1024, 1024),
                          (4, 11, 17, 23)),
}


def cubic_resize_matrix(target: torch.Tensor, source: int) -> torch.Tensor:
    """target x source matrix of torch's bicubic interpolation (align_corners=False) with
    scale_factor = (target + 0.1) / source, as DINOv2 calls it.

    `target` is a 0-d integer tensor (the patch grid side), so that tracing keeps it symbolic.
    With a scale_factor torch samples at src = (dst + 0.5) * source / (target + 0.1) - 0.5
    (not at source / target), 4 taps clamped at the edges.
    """
    scale = source / (target.to(torch.float32) + POS_EMBED_OFFSET)
    position = (torch.arange(target, dtype=torch.float32) + 0.5) * scale - 0.5
    start = torch.floor(position)
    t = (position - start)[:, None]
    offsets = torch.arange(-1, 3, dtype=torch.float32)
    distance = torch.abs(t - offsets)  # target x 4, distances to the 4 taps
    a = CUBIC_A
    near = ((a + 2) * distance - (a + 3)) * distance * distance + 1
    far = ((a * distance - 5 * a) * distance + 8 * a) * distance - 4 * a
    weights = torch.where(distance <= 1, near, far)
    taps = torch.clamp(start[:, None] + offsets, 0, source - 1)
    columns = torch.arange(source, dtype=torch.float32)
    return (weights[:, :, None] * (taps[:, :, None] == columns).to(torch.float32)).sum(1)


def identity_matrix(target: torch.Tensor, source: int) -> torch.Tensor:
    """target x source with ones on the diagonal (traceable for a symbolic target)."""
    rows = torch.arange(target, dtype=torch.float32)[:, None]
    return (rows == torch.arange(source, dtype=torch.float32)).to(torch.float32)


class DepthAnythingV2Net(nn.Module):
    """DepthAnythingV2(encoder, features, out_channels[, max_depth]) of the official code.

    Input: N x 3 x H x W, ImageNet-normalised, H and W multiples of 14.
    Output: N x H x W: disparity (relative, larger = nearer) or metres (metric, max_depth set).
    """

    def __init__(self, encoder: str = "vits", max_depth: Optional[float] = None):
        super().__init__()
        config = ENCODERS[encoder]
        self.taps = config.taps
        self.max_depth = max_depth
        self.pretrained = timm.create_model(config.timm_name, pretrained=False, num_classes=0,
                                            img_size=518, dynamic_img_size=True)
        embed_dim = self.pretrained.embed_dim
        self.pretrained.mask_token = nn.Parameter(torch.zeros(1, embed_dim))
        self.depth_head = DPTHead(embed_dim, config.features, config.out_channels,
                                  nn.ReLU(True) if max_depth is None else nn.Sigmoid(),
                                  PATCH_SIZE)

    def position_embedding(self, grid_h: torch.Tensor, grid_w: torch.Tensor) -> torch.Tensor:
        """1 x (1 + gh*gw) x D: the class entry as is, the 37x37 grid resized to gh x gw."""
        pos_embed = self.pretrained.pos_embed
        side = self.pretrained.patch_embed.grid_size[0]  # 37: the checkpoint's 518 px grid
        grid = pos_embed[0, 1:].reshape(side, side, -1)
        # DINOv2 leaves the embedding as is for the square 37x37 grid it was trained on.
        native = (grid_h == side) & (grid_w == side)
        rows, columns = (torch.where(native, identity_matrix(target, side),
                                     cubic_resize_matrix(target, side))
                         for target in (grid_h, grid_w))
        resized = torch.einsum("yi,ijc,xj->yxc", rows, grid, columns)
        return torch.cat([pos_embed[:, :1], resized.reshape(1, -1, grid.shape[-1])], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        vit = self.pretrained
        grid_h = torch.as_tensor(x.shape[-2]) // PATCH_SIZE
        grid_w = torch.as_tensor(x.shape[-1]) // PATCH_SIZE
        patches = vit.patch_embed(x)  # N x gh x gw x D (timm's dynamic_img_size layout)
        tokens = torch.cat([vit.cls_token.expand(x.shape[0], -1, -1), patches.flatten(1, 2)], 1)
        tokens = tokens + self.position_embedding(grid_h, grid_w)
        tapped = []
        for index, block in enumerate(vit.blocks[:self.taps[-1] + 1]):
            tokens = block(tokens)
            if index in self.taps:
                tapped.append(vit.norm(tokens)[:, 1:])  # final norm; class token dropped
        depth = self.depth_head(tapped, patches.shape[1], patches.shape[2])
        depth = F.relu(depth) if self.max_depth is None else depth * self.max_depth
        return depth.squeeze(1)


def load_depth_anything_v2(weights_path: str, encoder: str,
                           max_depth: Optional[float] = None) -> DepthAnythingV2Net:
    """Build the network and load an official checkpoint strictly; eval mode, fp32."""
    state = torch.load(weights_path, map_location="cpu", weights_only=True)
    model = DepthAnythingV2Net(encoder, max_depth)
    model.load_state_dict(state, strict=True)
    return model.eval()
