"""GET /demo: the Flask tutorial's upload-and-show page, rewritten for depthviz. It posts the
photo as the tutorial's page did (FormData with `image` to /predict, the answer read back as a
blob), so it also shows that clients written against the tutorial work unchanged. Everything is
inline: no external script, style or font."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

DEMO_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>depthviz: depth from one photo</title>
<style>
  body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
  .pair { display: flex; gap: 1rem; flex-wrap: wrap; }
  .pair figure { flex: 1 1 20rem; margin: 0; }
  .pair img { max-width: 100%; }
  #status { min-height: 1.5em; }
</style>
</head>
<body>
<h1>Depth from one photo</h1>
<form id="upload">
  <input type="file" id="image" name="image" accept="image/*" required>
  <input type="password" id="key" placeholder="API key, if the server needs one"
         autocomplete="off">
  <button type="submit">Estimate depth</button>
</form>
<p id="status" role="status"></p>
<div class="pair">
  <figure><img id="photo" alt=""><figcaption>the photo</figcaption></figure>
  <figure><img id="depth" alt=""><figcaption>its depth (warm = near)</figcaption></figure>
</div>
<script>
const form = document.getElementById("upload");
const status = document.getElementById("status");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = document.getElementById("image").files[0];
  const data = new FormData();
  data.append("image", file);
  const key = document.getElementById("key").value;
  status.textContent = "Estimating depth...";
  const response = await fetch("/predict", {
    method: "POST", body: data, headers: key ? {"X-API-Key": key} : {}});
  if (!response.ok) {
    status.textContent = (await response.json()).detail;
    return;
  }
  const blob = await response.blob();
  document.getElementById("photo").src = URL.createObjectURL(file);
  document.getElementById("depth").src = URL.createObjectURL(blob);
  status.textContent = "Done: " + response.headers.get("X-Depthviz-Model") + ", "
    + response.headers.get("X-Depthviz-Inference-Ms") + " ms.";
});
</script>
</body>
</html>
"""


def add_demo_page(app: FastAPI) -> None:
    @app.get("/demo", response_class=HTMLResponse, summary="a page to try the service in")
    async def demo() -> HTMLResponse:
        return HTMLResponse(DEMO_PAGE)
