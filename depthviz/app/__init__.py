"""The Streamlit app's glue, shared by its pages (streamlit_app.py, app_pages/). No pixels are
computed here: every image step is a depthviz call; this package adds caching (a model loads
once per process, a depth map is computed once per photo and model) and session state (the
photo and settings follow the user from page to page).

- uploads.py: accepted types and size, uploads kept in memory; style.py: how pages look
- photos.py: the photo (upload or example) and its preview; photo_picker.py: choosing it
- model_choice.py: which model runs, and why; settings.py + sidebar.py: the sidebar's choices
- model_notice.py: what a page says when the model that runs is not the one wanted, and the
  missing weights' download in place (weights_download.py, shared with the Models page)
- depth.py: a photo's depth under a model (PhotoDepth); current.py: all a page shows of it
- downloads.py: buttons that make their files on click; timings.py: measured speed per model
- images.py: pictures sent inside the page (no /media files to miss on a quick rerun)
- plot3d.py: a 3D scene as a Plotly figure; scene_camera.py: its camera kept across settings
"""
