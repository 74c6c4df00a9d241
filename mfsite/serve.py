"""A local preview server: the output under the base URL's path, with live reload.

Live reload lives only in the server's responses: HTML pages get a small
script tag (and a content policy that lets it run) as they are sent, so
nothing of it ever reaches the files `mfsite build` writes. While the
sources are broken, every page answers with the errors instead, and reloads
itself as soon as a build succeeds again, the way Hugo keeps the last good
build and shows the error in the browser.
"""

from __future__ import annotations

import html
import posixpath
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

PREFIX = "/__mfsite/"
RELOAD_SCRIPT = b"""\
(function () {
  var source = new EventSource("/__mfsite/events");
  source.addEventListener("reload", function () { location.reload(); });
})();
"""
KEEPALIVE_SECONDS = 10


class LiveState:
    """Build generations and the current error, shared by the builder and the server."""

    def __init__(self) -> None:
        self.generation = 0
        self.error: str | None = None
        self.closing = False
        self.changed = threading.Condition()

    def built(self) -> None:
        with self.changed:
            self.generation += 1
            self.error = None
            self.changed.notify_all()

    def failed(self, text: str) -> None:
        with self.changed:
            self.generation += 1
            self.error = text
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.generation != seen or self.closing, timeout=timeout)
            return self.generation


def error_page(text: str) -> bytes:
    body = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>mfsite: the site has errors</title>"
        '<script src="/__mfsite/reload.js"></script>'
        "<style>body{font:1rem/1.5 system-ui,sans-serif;margin:2rem;color:#1d1b18}"
        "pre{white-space:pre-wrap;background:#fff4f0;border-left:4px solid #a13d1c;padding:1rem}</style>"
        "</head><body><h1>The site has errors</h1>"
        "<p>The last good build is kept on disk; fix these and this page reloads by itself.</p>"
        f"<pre>{html.escape(text)}</pre></body></html>"
    )
    return body.encode("utf-8")


def inject_reload(page: bytes) -> bytes:
    """Let the page run our one script, and add it: in the response only, never on disk."""
    page = page.replace(
        b"default-src 'none';", b"default-src 'none'; script-src 'self'; connect-src 'self';", 1
    )
    tag = b'<script src="/__mfsite/reload.js"></script>'
    return page.replace(b"</head>", tag + b"</head>", 1) if b"</head>" in page else tag + page


def make_server(output: Path, base_path: str, state: LiveState, host: str, port: int) -> ThreadingHTTPServer:
    base_path = base_path if base_path.endswith("/") else base_path + "/"

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(output), **kwargs)  # type: ignore[misc]

        def log_message(self, format: str, *args: object) -> None:
            pass  # the terminal shows builds, not every request

        def send_bytes(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def do_HEAD(self) -> None:
            self.do_GET()

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            if path.startswith(PREFIX):
                return self.own(path[len(PREFIX) :])
            if path + "/" == base_path or path == "/":
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", base_path)
                self.end_headers()
                return None
            if not path.startswith(base_path):
                return self.missing()
            if state.error is not None and (path.endswith("/") or path.endswith(".html")):
                return self.send_bytes(500, error_page(state.error), "text/html; charset=utf-8")
            return self.serve_file(path[len(base_path) :])

        def serve_file(self, rel: str) -> None:
            target = (output / posixpath.normpath(rel or ".")).resolve()
            if not target.is_relative_to(output.resolve()):
                return self.missing()
            if target.is_dir():
                if not rel.endswith("/") and rel:
                    self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                    self.send_header("Location", base_path + rel + "/")
                    self.end_headers()
                    return None
                target = target / "index.html"
            if not target.is_file():
                return self.missing()
            data = target.read_bytes()
            content_type = self.guess_type(str(target))
            if target.suffix == ".html":
                data, content_type = inject_reload(data), "text/html; charset=utf-8"
            return self.send_bytes(200, data, content_type)

        def missing(self) -> None:
            page = output / "404.html"
            data = inject_reload(page.read_bytes()) if page.is_file() else b"not found"
            self.send_bytes(404, data, "text/html; charset=utf-8")

        def own(self, name: str) -> None:
            if name == "reload.js":
                return self.send_bytes(200, RELOAD_SCRIPT, "text/javascript; charset=utf-8")
            if name == "events":
                return self.events()
            return self.missing()

        def events(self) -> None:
            """Server-sent events: one `reload` after every build, good or bad."""
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = state.generation
            try:
                self.wfile.write(b": connected\n\n")
                self.wfile.flush()
                while not state.closing:
                    now = state.wait(seen, KEEPALIVE_SECONDS)
                    if state.closing:
                        break
                    if now != seen:
                        seen = now
                        self.wfile.write(f"event: reload\ndata: {now}\n\n".encode())
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass  # the browser went away

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
