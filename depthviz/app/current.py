"""Everything a page shows about the current photo: its preview, the sidebar's settings and its
depth map under them. A bad upload or a model that cannot run stops the page with the reason."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from depthviz.app.depth import PhotoDepth, depth_of
from depthviz.app.model_notice import active_model
from depthviz.app.photo_picker import current_photo
from depthviz.app.photos import Photo, PhotoView, photo_view
from depthviz.app.settings import Settings, settings
from depthviz.errors import ImageError


class Current(NamedTuple):
    """Everything a page shows about the current photo."""

    photo: Photo
    view: PhotoView
    settings: Settings
    result: PhotoDepth


def current() -> Current:
    """The current photo, its preview and its depth map under the sidebar's settings. A bad
    upload is shown as an error (the reason, never a traceback) and stops the page."""
    photo = current_photo()
    try:
        view = photo_view(photo)
    except ImageError as exc:
        st.error(f"{photo.name}: {exc}", icon=":material/error:")
        st.stop()
    chosen = settings()
    return Current(photo, view, chosen, depth_of(photo, active_model(chosen.choice)))
