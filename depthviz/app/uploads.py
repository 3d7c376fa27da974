"""How the app receives uploads: the file types and size its uploaders accept, and the server
setting that keeps every upload in memory (uploads never reach the disk)."""

from __future__ import annotations

import streamlit as st

from depthviz.io.images import DEFAULT_MAX_UPLOAD_MB

#: File types the upload widgets accept, as Streamlit lists them under the drop zone: the names
#: people know, not rare spellings such as .mpo, .dib or .jpe (load_image still reads those; the
#: CLI takes them). Streamlit adds the twins .jpg and .tif itself and names the first of a pair.
UPLOAD_TYPES = ["jpeg", "png", "webp", "bmp", "tiff", "gif"]
UPLOAD_HINT = "JPEG, PNG, WebP, BMP, TIFF or GIF (first frame)."
#: Upload limit of the photo and video uploaders, MB, the same as the HTTP service's (the server
#: allows more, for a weights file uploaded on the Models page: server.maxUploadSize in
#: .streamlit/config.toml).
MEDIA_UPLOAD_MB = DEFAULT_MAX_UPLOAD_MB


def keep_uploads_in_memory() -> None:
    """Streamlit's server parses uploads with Starlette, which writes any file over 1 MB to a
    temporary file on disk while receiving it; raise that threshold above the largest upload
    the server accepts, so uploads stay in memory from the first byte."""
    from starlette.formparsers import MultiPartParser

    largest = (st.get_option("server.maxUploadSize") + 1) * 1024 * 1024  # + multipart framing
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, largest)
