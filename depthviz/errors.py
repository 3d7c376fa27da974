"""Typed errors whose messages a person can act on (the app shows them verbatim)."""

from pathlib import Path


class DepthvizError(Exception):
    """Base class for every error depthviz raises on purpose."""


class ImageError(DepthvizError, ValueError):
    """The input could not be used as a photo (not an image, truncated, too large, ...)."""


class ImageTooLarge(ImageError):
    """The photo has more bytes or pixels than the limits allow (HTTP 413 in the service)."""


class VideoError(DepthvizError, ValueError):
    """The input could not be used as a video (not a video, no video stream, too long, ...)."""


class EvaluationError(DepthvizError, ValueError):
    """An evaluation cannot run as asked: no photo with ground truth, a ground-truth file that
    cannot be read, or an alignment the model's output does not allow."""


class UnknownColormap(DepthvizError, ValueError):
    """No matplotlib colormap of that name."""


class WeightsUnavailable(DepthvizError, FileNotFoundError):
    """A model's weights are not on disk and could not be fetched (or a file is not usable).

    The message is worded for Python callers; the facts travel with it so that each front end
    (the app, the CLI) can say what to do in its own words: `weights_file` (e.g.
    "midas_v21_small_256.pt"), `folder` (where it belongs), `origin` (where it comes from)
    and `reason` (why fetching failed, in plain words; None when no fetch was tried).
    """

    def __init__(self, message: str, *, weights_file: str | None = None, folder: Path | None = None,
                 origin: str | None = None, reason: str | None = None):
        super().__init__(message)
        # not `filename`: OSError would put that in front of the message
        self.weights_file, self.folder = weights_file, folder
        self.origin, self.reason = origin, reason


class UnknownModel(DepthvizError, KeyError):
    """No model of that name is registered."""

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return str(self.args[0]) if self.args else ""


class EngineUnavailable(DepthvizError, RuntimeError):
    """The requested inference engine cannot run this model here."""


class MissingExtra(DepthvizError, ImportError):
    """A part of depthviz that needs an optional extra was used without it installed; the message
    names the pip command (see depthviz/extras.py)."""
