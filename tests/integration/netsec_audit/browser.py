"""A page in headless Chromium, as a person would see it: a screenshot of the whole page, read back by OCR (a plain
helper module for the tests, not a conftest). Needs /usr/bin/chromium and /usr/bin/tesseract (Debian's chromium,
tesseract-ocr and tesseract-ocr-eng); ``scripts/browser-deps.sh`` (``make browser-deps``) installs them.

The whole page, not a viewport of it: Chromium's ``--screenshot`` captures the window, and a report is as long
as its findings and their evidence make it, which no fixed window size or estimate from the number of findings
can be sure of (fonts, wrapping of long evidence, tables). So ``screenshot`` measures first: ``page_height``
loads the page in headless Chromium driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
NUL-terminated JSON on fds 3 and 4, standard library only, no port opened) and reads the laid-out document's
height (``Page.getLayoutMetrics``, ``cssContentSize``) at the same window width. Then a second, plain
``chromium --headless --screenshot`` run uses a window exactly that tall, so the image holds the page from its
first to its last pixel; the layout does not depend on the window's height (the report uses no viewport-height
units), so the measured height holds for the second run. The alternatives were worse: a tall window guessed
from the number of findings cuts a page whose evidence wraps more than guessed; printing to PDF renders the
print stylesheet (another layout, page breaks) and needs poppler-utils to rasterise it.

The screenshot is taken at a device scale factor of 2 (``--force-device-scale-factor``: the layout in CSS pixels
is the same, every glyph has twice the pixels, as on a HiDPI screen). At 1x the report's 15px text is at the
edge of what tesseract reads: on a clean Debian (fonts-dejavu-core only) it dropped the first letters of a
title now and then, and read almost no kind id right; at 2x it read every title and id, with either font set,
for about twice the OCR time. tesseract refuses an image taller than 32767 pixels, so a page taller than
``MAX_PIXELS`` / scale is refused rather than cut.

``ocr`` runs ``tesseract <png> stdout`` on one thread (``OMP_THREAD_LIMIT=1``: on a small machine tesseract's
OpenMP threads spin and make it several times slower). ``normalise`` makes a title and the OCR text comparable:
case, Unicode forms, typographic quotes and dashes, line wraps and runs of whitespace, and a hyphen with the
whitespace around it (a word hyphenated at a line end reads as the word; ``allow-all`` as ``allowall`` on both
sides). It does not guess at letters: a title that is not on the page is not found (the tests check that too).
Every run is bounded by a timeout; on failure or timeout the process group is killed and the error carries the
tool's stderr.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time
import unicodedata
import zlib

CHROMIUM = "/usr/bin/chromium"
TESSERACT = "/usr/bin/tesseract"
TIMEOUT = 60  # seconds, for each Chromium run
OCR_TIMEOUT = 240
MAX_PIXELS = 32767  # tesseract: "Image too large" beyond this, in either dimension
SCALE = 2
# the flags this closed network needs (root, no GPU, no services to call home to), each run on a profile of its own;
# --disable-dev-shm-usage: a container's /dev/shm is often 64 MB, less than one tall screenshot's bitmap
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--disable-dev-shm-usage")


class BrowserError(RuntimeError):
    """Chromium or tesseract failed, timed out or gave something unusable."""


def missing_tools() -> list[str]:
    return [tool for tool in (CHROMIUM, TESSERACT) if not os.access(tool, os.X_OK)]


def _kill(process: subprocess.Popen) -> None:
    """End the process group started for ``process`` (Chromium forks zygote, renderer and utility processes)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _tail(text: str | bytes, lines: int = 40) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join(text.splitlines()[-lines:])


def _run(args: list[str], timeout: float, env: dict | None = None) -> subprocess.CompletedProcess:
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        stdout, stderr = process.communicate()
        raise BrowserError(f"{args[0]} timed out after {timeout}s:\n{_tail(stderr)}") from None
    if process.returncode != 0:
        raise BrowserError(f"{args[0]} exited with {process.returncode}:\n{_tail(stderr)}")
    return subprocess.CompletedProcess(args, process.returncode, stdout, stderr)


def _chromium_args(profile: str, width: int, height: int) -> list[str]:
    return [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"]


def page_url(html_path: str | os.PathLike) -> str:
    return pathlib.Path(html_path).resolve().as_uri()


class _Pipe:
    """The DevTools protocol on Chromium's ``--remote-debugging-pipe``: NUL-terminated JSON both ways."""

    def __init__(self, send_fd: int, recv_fd: int, deadline: float) -> None:
        self.send_fd, self.recv_fd, self.deadline = send_fd, recv_fd, deadline
        self.buffer, self.last_id = b"", 0

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.last_id += 1
        message = {"id": self.last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.send_fd, data):]
        return self.last_id

    def receive(self) -> dict:
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.recv_fd], [], [], left)[0]:
                raise BrowserError(f"no answer from Chromium's DevTools pipe within {TIMEOUT}s")
            chunk = os.read(self.recv_fd, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium closed its DevTools pipe")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        wanted = self.send(method, params, session)
        while True:
            message = self.receive()
            if message.get("id") == wanted:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message["result"]

    def wait_for(self, event: str) -> dict:
        while True:
            message = self.receive()
            if message.get("method") == event:
                return message.get("params", {})


def _measure(pipe: _Pipe, url: str) -> int:
    targets = pipe.call("Target.getTargets")["targetInfos"]
    page = next(target["targetId"] for target in targets if target["type"] == "page")
    session = pipe.call("Target.attachToTarget", {"targetId": page, "flatten": True})["sessionId"]
    pipe.call("Page.enable", session=session)
    navigation = pipe.call("Page.navigate", {"url": url}, session=session)
    if navigation.get("errorText"):
        raise BrowserError(f"Chromium could not open {url}: {navigation['errorText']}")
    pipe.wait_for("Page.loadEventFired")
    metrics = pipe.call("Page.getLayoutMetrics", session=session)
    height = metrics["cssContentSize"]["height"]
    pipe.call("Browser.close")
    return int(-(-height // 1))  # rounded up: a fraction of a pixel still shows


def page_height(html_path: str | os.PathLike, width: int, scale: int = SCALE) -> int:
    """The height in CSS pixels of the page laid out in a window ``width`` CSS pixels wide (at the scale the
    screenshot uses: glyphs rasterised at another size could wrap a line differently); never less than the
    measuring window's viewport (some 650 pixels), which is harmless: a short page gets white below it."""
    to_chromium = os.pipe()
    from_chromium = os.pipe()
    profile = tempfile.mkdtemp(prefix="kubeguard-chromium-")
    # Chromium reads the protocol from its fd 3 and writes to its fd 4: bash puts the pipes there (not sh: dash
    # redirects single-digit fds only, and a test process has many open)
    args = ["/bin/bash", "-c", f'exec "$0" "$@" 3<&{to_chromium[0]} 4>&{from_chromium[1]}',
            *_chromium_args(profile, width, 800), f"--force-device-scale-factor={scale}", "--remote-debugging-pipe",
            "about:blank"]
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(args, pass_fds=(to_chromium[0], from_chromium[1]), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        os.close(to_chromium[0])
        os.close(from_chromium[1])
        try:
            height = _measure(_Pipe(to_chromium[1], from_chromium[0], time.monotonic() + TIMEOUT),
                              page_url(html_path))
            process.wait(timeout=TIMEOUT)
        except (BrowserError, OSError, ValueError, LookupError, StopIteration, subprocess.TimeoutExpired) as error:
            _kill(process)
            stderr.seek(0)
            raise BrowserError(f"measuring {html_path} failed: {error!r}\n{_tail(stderr.read())}") from error
        finally:
            os.close(to_chromium[1])
            os.close(from_chromium[0])
            shutil.rmtree(profile, ignore_errors=True)
    return height


def screenshot(html_path: str | os.PathLike, png_path: str | os.PathLike, width: int = 1280,
               height: int | None = None, scale: int = SCALE) -> int:
    """Write a PNG of the page laid out ``width`` CSS pixels wide: the whole page (measured first) when ``height``
    is None, else its first ``height`` CSS pixels; ``scale`` image pixels per CSS pixel. Returns the height in
    CSS pixels (the image is ``width * scale`` by ``height * scale``)."""
    if height is None:
        height = page_height(html_path, width, scale)
    if not 0 < height * scale <= MAX_PIXELS or width * scale > MAX_PIXELS:
        raise BrowserError(f"{html_path} is {height} pixels tall at width {width}: at scale {scale}, more than "
                           f"the {MAX_PIXELS} pixels tesseract reads")
    png = pathlib.Path(png_path).resolve()
    png.unlink(missing_ok=True)
    profile = tempfile.mkdtemp(prefix="kubeguard-chromium-")
    try:
        _run([*_chromium_args(profile, width, height), f"--force-device-scale-factor={scale}",
              f"--screenshot={png}", page_url(html_path)], TIMEOUT)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if not png.is_file():
        raise BrowserError(f"Chromium exited without writing {png}")
    return height


def ocr(png_path: str | os.PathLike) -> str:
    """The text tesseract reads in the image (English)."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    return _run([TESSERACT, str(png_path), "stdout", "-l", "eng"], OCR_TIMEOUT, env).stdout.decode()


def png_info(png_path: str | os.PathLike) -> dict:
    """What the standard library can check of a PNG: the signature, every chunk's CRC, IHDR first and IEND last,
    and the image data inflating to exactly one filter byte plus one row of pixels per row. Returns the width,
    height, colour type, bit depth and the number of distinct byte values in the image data (a blank image has
    very few)."""
    data = pathlib.Path(png_path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise BrowserError(f"{png_path} is not a PNG (signature {data[:8]!r})")
    chunks, offset = [], 8
    while offset < len(data):
        length = int.from_bytes(data[offset:offset + 4], "big")
        kind, body = data[offset + 4:offset + 8], data[offset + 8:offset + 8 + length]
        crc = int.from_bytes(data[offset + 8 + length:offset + 12 + length], "big")
        if len(body) != length or zlib.crc32(kind + body) != crc:
            raise BrowserError(f"{png_path}: chunk {kind!r} at {offset} is truncated or corrupt")
        chunks.append((kind, body))
        offset += 12 + length
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise BrowserError(f"{png_path}: IHDR is not first or IEND not last")
    header = chunks[0][1]
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    depth, colour, interlace = header[8], header[9], header[12]
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if channels is None or depth != 8 or interlace != 0:
        raise BrowserError(f"{png_path}: unexpected PNG format (colour type {colour}, depth {depth})")
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    if len(pixels) != height * (1 + width * channels):
        raise BrowserError(f"{png_path}: image data is {len(pixels)} bytes, not {height} rows of {width} pixels")
    return {"width": width, "height": height, "colour_type": colour, "bit_depth": depth,
            "distinct_bytes": len(set(pixels))}


# what differs between a string as written and as OCR reads it without the letters being wrong
_SAME = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2010": "-", "\u2011": "-",
                       "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00ad": "-"})


def normalise(text: str) -> str:
    """``text`` lower-cased, with quotes and dashes plain, hyphens (and the whitespace around them, so a line
    break after one) dropped, and any other whitespace, line breaks included, as one space."""
    text = unicodedata.normalize("NFKC", text).translate(_SAME).lower()
    text = re.sub(r"\s*-+\s*", "", text)
    return re.sub(r"\s+", " ", text).strip()


def contains(haystack: str, title: str) -> bool:
    """Whether ``title`` appears in ``haystack`` (OCR text), both normalised; a title must match whole words."""
    needle = normalise(title)
    return bool(needle) and re.search(rf"(?<!\w){re.escape(needle)}(?!\w)", normalise(haystack)) is not None
