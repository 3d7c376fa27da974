"""Pictures sent inside the page (data: URIs) rather than as /media files.

Streamlit deletes a script run's media files as soon as a newer run ends, even a run cut short
by the next click; a browser that had not fetched a picture yet (someone clicking through pages
or changing settings quickly) then got a 404 for it. Inline, a picture arrives with the element
that shows it. Pictures here are screen-sized previews, so the page stays light.
"""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

#: JPEG quality of on-screen pictures (downloads are PNGs made from the full-size data).
JPEG_QUALITY = 90


def inline(image: np.ndarray) -> str:
    """An HxW or HxWx3 uint8 picture as a data: URI that st.image shows as it is (JPEG without
    chroma subsampling, so the thin colours of a colour bar stay true)."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=JPEG_QUALITY, subsampling=0)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
