"""HTTP/JSON job API beside gRPC, for clients that cannot speak HTTP/2 (Premiere UXP, scripts).

Same process, same engine, same job slots (workers + queue) as the gRPC servicer; same loopback
default and token rule. The contract is ``nr_bridge/server/openapi.json``.

    POST   /v1/jobs                 audio or video file bytes (WAV, FLAC, MP3, MP4, MOV, ...), or JSON {"path": ...}
    GET    /v1/jobs/{id}            status and progress
    GET    /v1/jobs/{id}/events     progress as server-sent events until the job ends
    GET    /v1/jobs/{id}/stems/{s}  the finished stem (WAV)
    DELETE /v1/jobs/{id}            cancel, and delete its files
    GET    /v1/health, /v1/info
"""
from __future__ import annotations

import hmac
import json
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from ..audio_io import AudioFileError, probe
from ..engine import BadAudioError, Denoiser
from ..file_denoise import STEMS, denoise_file
from .auth import is_loopback
from .jobs import JobSlots, QueueFull

MAX_UPLOAD_BYTES = 4 * 1024**3
OPENAPI = Path(__file__).with_name("openapi.json")


class Cancelled(Exception):
    pass


@dataclass
class HttpJob:
    id: str
    label: str
    stems: list[str]
    folder: Path
    status: str = "queued"  # queued | running | done | failed | cancelled
    fraction: float = 0.0
    seconds_done: float = 0.0
    eta_seconds: float = -1.0
    error: str | None = None
    summary: dict | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def view(self) -> dict:
        done = self.status == "done"
        return {"id": self.id, "label": self.label, "status": self.status, "error": self.error,
                "progress": {"fraction": self.fraction, "seconds_done": self.seconds_done,
                             "eta_seconds": self.eta_seconds},
                "stems": {s: f"/v1/jobs/{self.id}/stems/{s}" for s in self.stems} if done else {},
                "summary": self.summary}

    def set(self, **values) -> None:
        with self.changed:
            for key, value in values.items():
                setattr(self, key, value)
            self.changed.notify_all()


class JobBoard:
    """The HTTP jobs, run on threads that hold the shared JobSlots while they compute."""

    def __init__(self, denoiser: Denoiser, slots: JobSlots):
        self.denoiser, self.slots = denoiser, slots
        self.jobs: dict[str, HttpJob] = {}
        self.lock = threading.Lock()
        self.root = Path(tempfile.mkdtemp(prefix="nr-bridge-http-"))

    def submit(self, source: Path, label: str, stems: list[str], strength_db: float | None,
               start_s: float, end_s: float | None, owned_source: bool) -> HttpJob:
        self.slots.check_room()
        job = HttpJob(uuid.uuid4().hex, label, stems, self.root / uuid.uuid4().hex)
        job.folder.mkdir()
        with self.lock:
            self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(job, source, strength_db, start_s, end_s, owned_source),
                         daemon=True).start()
        return job

    def _run(self, job: HttpJob, source: Path, strength_db, start_s, end_s, owned_source: bool) -> None:
        try:
            with self.slots.slot(lambda: not job.cancel.is_set()):
                job.set(status="running")
                rate = probe(source).sample_rate
                started = time.perf_counter()

                def progress(done: int, total: int) -> None:
                    if job.cancel.is_set():
                        raise Cancelled()
                    fraction = done / total if total else 1.0
                    elapsed = time.perf_counter() - started
                    job.set(fraction=fraction, seconds_done=done / rate,
                            eta_seconds=elapsed / fraction * (1 - fraction) if fraction else -1.0)

                outputs = {s: job.folder / f"{s}.wav" for s in job.stems}
                denoise_file(self.denoiser, source, outputs, "wav", strength_db, progress, start_s, end_s)
                elapsed = time.perf_counter() - started
                job.set(status="done", fraction=1.0, eta_seconds=0.0,
                        summary={"duration_seconds": job.seconds_done,
                                 "real_time_factor": elapsed / job.seconds_done if job.seconds_done else 0.0})
        except Cancelled:
            job.set(status="cancelled")
        except QueueFull as error:
            job.set(status="failed", error=str(error))
        except (AudioFileError, BadAudioError, ValueError) as error:
            job.set(status="failed", error=str(error))
        except Exception as error:  # noqa: BLE001  reported to the client, the server carries on
            job.set(status="failed", error=f"{type(error).__name__}: {error}")
        finally:
            if owned_source:
                source.unlink(missing_ok=True)

    def delete(self, job_id: str) -> bool:
        with self.lock:
            job = self.jobs.pop(job_id, None)
        if job is None:
            return False
        job.cancel.set()
        shutil.rmtree(job.folder, ignore_errors=True)
        return True


def make_handler(board: JobBoard, token: str | None):
    expected = f"Bearer {token}".encode() if token else None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "nr-bridge"

        def log_message(self, *args) -> None:  # jobs are logged by the job board, not per request
            pass

        def send_json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def error(self, status: HTTPStatus, message: str) -> None:
            self.send_json(status, {"error": message, "status": status.value})

        def authorised(self) -> bool:
            if expected is None:
                return True
            given = self.headers.get("Authorization", "").encode()
            if hmac.compare_digest(given, expected):
                return True
            self.error(HTTPStatus.UNAUTHORIZED, "missing or wrong token (Authorization: Bearer ...)")
            return False

        def route(self) -> tuple[list[str], dict]:
            url = urlparse(self.path)
            return [p for p in url.path.split("/") if p], {k: v[-1] for k, v in parse_qs(url.query).items()}

        def job(self, job_id: str) -> HttpJob | None:
            job = board.jobs.get(job_id)
            if job is None:
                self.error(HTTPStatus.NOT_FOUND, f"no job {job_id}")
            return job

        def do_GET(self) -> None:  # noqa: N802
            if not self.authorised():
                return
            parts, _ = self.route()
            if parts == ["v1", "health"]:
                return self.send_json(HTTPStatus.OK, {"status": "SERVING"})
            if parts == ["v1", "info"]:
                model = board.denoiser.model
                return self.send_json(HTTPStatus.OK, {
                    "model_version": str(board.denoiser.meta.get("version", board.denoiser.meta.get("stage", ""))),
                    "parameters": sum(p.numel() for p in model.parameters()), "model_sample_rate": 44100,
                    "workers": board.slots.workers, "queue_size": board.slots.queue_size})
            if parts == ["openapi.json"]:
                return self.send_json(HTTPStatus.OK, json.loads(OPENAPI.read_text()))
            if len(parts) == 3 and parts[:2] == ["v1", "jobs"]:
                job = self.job(parts[2])
                return job and self.send_json(HTTPStatus.OK, job.view())
            if len(parts) == 4 and parts[:2] == ["v1", "jobs"] and parts[3] == "events":
                job = self.job(parts[2])
                return job and self.events(job)
            if len(parts) == 5 and parts[:2] == ["v1", "jobs"] and parts[3] == "stems":
                job = self.job(parts[2])
                if job is None:
                    return None
                if parts[4] not in job.stems:
                    return self.error(HTTPStatus.NOT_FOUND, f"job {job.id} has no stem {parts[4]!r}")
                if job.status != "done":
                    return self.error(HTTPStatus.CONFLICT, f"job {job.id} is {job.status}, not done")
                return self.send_file(job.folder / f"{parts[4]}.wav")
            return self.error(HTTPStatus.NOT_FOUND, f"no such endpoint: {self.path}")

        def send_file(self, path: Path) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "audio/wav")
            self.send_header("Content-Length", str(path.stat().st_size))
            self.end_headers()
            with open(path, "rb") as f:
                shutil.copyfileobj(f, self.wfile)

        def events(self, job: HttpJob) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            last = None
            while True:
                with job.changed:
                    view = job.view()
                    if view == last:
                        job.changed.wait(timeout=1.0)
                        continue
                last = view
                self.wfile.write(f"event: progress\ndata: {json.dumps(view)}\n\n".encode())
                self.wfile.flush()
                if view["status"] in ("done", "failed", "cancelled"):
                    return

        def do_POST(self) -> None:  # noqa: N802
            if not self.authorised():
                return
            parts, query = self.route()
            if parts != ["v1", "jobs"]:
                return self.error(HTTPStatus.NOT_FOUND, f"no such endpoint: {self.path}")
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0:
                return self.error(HTTPStatus.BAD_REQUEST, "empty request: send audio bytes or JSON {\"path\": ...}")
            if length > MAX_UPLOAD_BYTES:
                return self.error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"upload over {MAX_UPLOAD_BYTES} bytes")
            try:
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    options = json.loads(self.rfile.read(length))
                    source, owned = self.local_source(options), False
                else:
                    options, source, owned = query, self.receive(length), True
                stems = options.get("stems", "voice")
                stems = stems.split(",") if isinstance(stems, str) else list(stems)
                if not stems or any(s not in STEMS for s in stems):
                    raise ValueError(f"stems must be voice and/or noise, got {stems}")
                strength = options.get("strength_db")
                job = board.submit(source, str(options.get("label", "")), stems,
                                   None if strength in (None, "") else float(strength),
                                   float(options.get("start_s", 0) or 0),
                                   None if options.get("end_s") in (None, "") else float(options["end_s"]), owned)
            except QueueFull as error:
                return self.error(HTTPStatus.TOO_MANY_REQUESTS, str(error))
            except (ValueError, json.JSONDecodeError) as error:
                return self.error(HTTPStatus.BAD_REQUEST, str(error))
            self.send_json(HTTPStatus.ACCEPTED, job.view())

        def local_source(self, options: dict) -> Path:
            if not is_loopback(self.client_address[0]):
                raise ValueError("local file paths are accepted only from this machine (loopback)")
            path = Path(str(options.get("path", "")))
            if not path.is_absolute() or not path.is_file():
                raise ValueError(f"path must be an absolute path to a readable file: {path}")
            return path

        def receive(self, length: int) -> Path:
            fd, name = tempfile.mkstemp(prefix="upload-", dir=board.root)
            with open(fd, "wb") as f:
                remaining = length
                while remaining:
                    chunk = self.rfile.read(min(1 << 20, remaining))
                    if not chunk:
                        raise ValueError("upload ended early")
                    f.write(chunk)
                    remaining -= len(chunk)
            return Path(name)

        def do_DELETE(self) -> None:  # noqa: N802
            if not self.authorised():
                return
            parts, _ = self.route()
            if len(parts) == 3 and parts[:2] == ["v1", "jobs"]:
                if board.delete(parts[2]):
                    self.send_response(HTTPStatus.NO_CONTENT)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                return self.error(HTTPStatus.NOT_FOUND, f"no job {parts[2]}")
            return self.error(HTTPStatus.NOT_FOUND, f"no such endpoint: {self.path}")

    return Handler


class HttpApi:
    """The HTTP server on its own thread; ``port`` is the bound port, ``stop()`` shuts it down."""

    def __init__(self, denoiser: Denoiser, slots: JobSlots, host: str, port: int, token: str | None):
        if not is_loopback(host) and not token:
            raise ValueError(f"listening on {host} (beyond this machine) requires a token")
        self.board = JobBoard(denoiser, slots)
        self.server = ThreadingHTTPServer((host, port), make_handler(self.board, token))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.board.root, ignore_errors=True)
