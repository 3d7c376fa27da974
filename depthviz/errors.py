"""Typed errors whose messages a person can act on (the app shows them verbatim)."""


class DepthvizError(Exception):
    """Base class for every error depthviz raises on purpose."""


class ImageError(DepthvizError, ValueError):
    """The input could not be used as a photo (not an image, truncated, too large, ...)."""


class VideoError(DepthvizError, ValueError):
    """The input could not be used as a video (not a video, no video stream, too long, ...)."""


class UnknownColormap(DepthvizError, ValueError):
    """No matplotlib colormap of that name."""


class WeightsUnavailable(DepthvizError, FileNotFoundError):
    """A model's weights are not on disk and could not be fetched."""


class UnknownModel(DepthvizError, KeyError):
    """No model of that name is registered."""

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return str(self.args[0]) if self.args else ""


class EngineUnavailable(DepthvizError, RuntimeError):
    """The requested inference engine cannot run this model here."""
