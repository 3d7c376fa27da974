"""3D: the current photo as a scene to orbit and zoom, its PLY and GLB files, a parallax video.

The view is Plotly's (`st.plotly_chart`): plotly.js ships inside Streamlit, so the WebGL view
works offline with no CDN; deck.gl (`st.pydeck_chart`) is map-first and fetches basemap tiles.
depthviz/plot3d.py has the details. The view is built from the screen-sized preview (a
browser-sized payload); the files are made from the full-size photo, like the CLI's.
"""

import streamlit as st

import depthviz
from depthviz import plot3d, webapp

#: Density -> (mesh faces, cloud points) sent to the browser: from quick on a phone to sharp.
DENSITY = {"Low": (20_000, 30_000), "Medium": (60_000, 80_000), "High": (150_000, 200_000)}
SHAPES = ("Mesh", "Points")

st.header("3D")
webapp.photo_picker()
photo, view, chosen, result = webapp.current()

shape_column, detail_column, scale_column = st.columns(3)
shape = shape_column.segmented_control("Show", SHAPES, default=SHAPES[0], required=True,
                                       key="scene_shape", persist_state="session")
detail = detail_column.select_slider("Density", list(DENSITY), value="Medium", key="scene_density",
                                     persist_state="session",
                                     help="How many triangles or points the view draws.")
depth_scale = scale_column.slider("Depth scale", 0.25, 3.0, 1.0, step=0.25, format="%.2f×",
                                  key="scene_depth_scale", persist_state="session",
                                  help="Stretches the relief in the view only; files keep "
                                       "the true proportions.")

faces, points = DENSITY[detail]
if shape == "Mesh":
    scene = depthviz.to_mesh(view.preview, result.preview, max_faces=faces)
else:
    scene = depthviz.to_points(view.preview, result.preview, max_points=points)
st.plotly_chart(plot3d.scene_figure(scene, depth_scale), key="scene_view",
                config={"displaylogo": False})
st.caption(f"{webapp.summary(view, result)} · {len(scene.vertices):,} points"
           + (f", {len(scene.faces):,} triangles" if shape == "Mesh" else "")
           + " · drag to orbit, scroll or pinch to zoom. Relative depth: the scene's shape is "
             "right up to scale, not in metres.")
