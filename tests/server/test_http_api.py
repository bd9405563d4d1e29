"""The HTTP/JSON job API with a real server on 127.0.0.1, checked against its OpenAPI contract."""
from __future__ import annotations

import http.client
import io
import json
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from jsonschema import Draft202012Validator

from nr_bridge.server.app import ServerConfig, start_server

from ..conftest import tone_and_noise

SPEC = json.loads((Path(__file__).resolve().parents[2] / "nr_bridge" / "server" / "openapi.json").read_text())


def conforms(body: dict, schema: str) -> None:
    Draft202012Validator({**SPEC, "$ref": f"#/components/schemas/{schema}"}).validate(body)


@pytest.fixture(scope="module")
def server(denoiser):
    running = start_server(denoiser, ServerConfig(port=0, http_port=0, workers=2, queue_size=2))
    yield running
    running.stop(0)


def request(server, method, path, body=None, headers=None, port=None):
    connection = http.client.HTTPConnection("127.0.0.1", port or server.http.port, timeout=120)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    kind = response.getheader("Content-Type", "")
    return response.status, (json.loads(data) if kind == "application/json" else data)


def wav_bytes(audio, rate, subtype="PCM_16") -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, audio, rate, format="WAV", subtype=subtype)
    return buffer.getvalue()


def wait_done(server, job_id, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, job = request(server, "GET", f"/v1/jobs/{job_id}")
        assert status == 200
        conforms(job, "Job")
        if job["status"] in ("done", "failed", "cancelled"):
            return job
        time.sleep(0.1)
    raise AssertionError("job did not finish")


def test_upload_poll_download_equals_in_process(server, denoiser):
    audio = tone_and_noise(3.0, 48000, 2)
    status, job = request(server, "POST", "/v1/jobs?stems=voice,noise&strength_db=20&label=take1",
                          wav_bytes(audio, 48000, "FLOAT"), {"Content-Type": "application/octet-stream"})
    assert status == 202
    conforms(job, "Job")
    job = wait_done(server, job["id"])
    assert job["status"] == "done" and job["progress"]["fraction"] == 1.0 and job["label"] == "take1"
    status, data = request(server, "GET", job["stems"]["voice"])
    assert status == 200
    voice, rate = sf.read(io.BytesIO(data), dtype="float32")
    expected = denoiser.denoise(audio, 48000, strength_db=20).voice
    assert rate == 48000 and voice.shape == audio.shape
    np.testing.assert_allclose(voice, expected, atol=1e-5)
    status, noise_data = request(server, "GET", job["stems"]["noise"])
    noise = sf.read(io.BytesIO(noise_data), dtype="float32")[0]
    np.testing.assert_allclose(voice + noise, audio, atol=1e-5)
    assert request(server, "DELETE", f"/v1/jobs/{job['id']}")[0] == 204
    assert request(server, "GET", f"/v1/jobs/{job['id']}")[0] == 404


def test_local_path_section_and_events(server, tmp_path):
    src = tmp_path / "long.wav"
    sf.write(src, tone_and_noise(6.0, 44100, 1), 44100)
    body = json.dumps({"path": str(src), "start_s": 1.0, "end_s": 3.0, "stems": ["voice"]})
    status, job = request(server, "POST", "/v1/jobs", body, {"Content-Type": "application/json"})
    assert status == 202
    connection = http.client.HTTPConnection("127.0.0.1", server.http.port, timeout=120)
    connection.request("GET", f"/v1/jobs/{job['id']}/events")
    response = connection.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    events = [json.loads(line[6:]) for line in response.read().decode().splitlines() if line.startswith("data: ")]
    connection.close()
    assert events[-1]["status"] == "done"
    for event in events:
        conforms(event, "Job")
    status, data = request(server, "GET", events[-1]["stems"]["voice"])
    assert sf.info(io.BytesIO(data)).frames == 2 * 44100
    assert src.exists()  # a local source is never removed or modified


@pytest.mark.parametrize("method,path,body,headers,code,message", [
    ("POST", "/v1/jobs", b"", {}, 400, "empty request"),
    ("POST", "/v1/jobs", b"not audio at all", {"Content-Type": "application/octet-stream"}, 202, None),
    ("POST", "/v1/jobs", json.dumps({"path": "relative.wav"}), {"Content-Type": "application/json"}, 400, "absolute"),
    ("POST", "/v1/jobs?stems=music", b"RIFF", {"Content-Type": "application/octet-stream"}, 400, "stems"),
    ("GET", "/v1/jobs/nope", None, {}, 404, "no job"),
    ("GET", "/v1/nowhere", None, {}, 404, "no such endpoint"),
    ("DELETE", "/v1/jobs/nope", None, {}, 404, "no job"),
])
def test_errors_are_json_with_proper_status(server, method, path, body, headers, code, message):
    status, reply = request(server, method, path, body, headers)
    assert status == code
    if message:
        conforms(reply, "Error")
        assert message in reply["error"]
    else:  # accepted, then fails with a readable reason
        job = wait_done(server, reply["id"])
        assert job["status"] == "failed" and "not a readable audio file" in job["error"]


def test_stem_before_done_is_conflict_and_cancel_stops_the_job(server):
    audio = tone_and_noise(60.0, 44100, 2)
    status, job = request(server, "POST", "/v1/jobs", wav_bytes(audio, 44100), {"Content-Type": "application/octet-stream"})
    assert status == 202
    status, reply = request(server, "GET", f"/v1/jobs/{job['id']}/stems/voice")
    assert status == 409 and "not done" in reply["error"]
    board = server.http.board
    held = board.jobs[job["id"]]
    assert request(server, "DELETE", f"/v1/jobs/{job['id']}")[0] == 204
    deadline = time.monotonic() + 30
    while held.status not in ("cancelled",) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert held.status == "cancelled"


def test_queue_full_is_429_and_concurrent_jobs_finish(denoiser):
    running = start_server(denoiser, ServerConfig(port=0, http_port=0, workers=1, queue_size=1))
    try:
        audio = wav_bytes(tone_and_noise(20.0, 44100, 1), 44100)
        headers = {"Content-Type": "application/octet-stream"}
        first = request(running, "POST", "/v1/jobs", audio, headers)[1]
        time.sleep(0.5)
        second = request(running, "POST", "/v1/jobs", audio, headers)[1]
        time.sleep(0.5)
        status, reply = request(running, "POST", "/v1/jobs", audio, headers)
        assert status == 429 and "busy" in reply["error"]
        conforms(reply, "Error")
        assert wait_done(running, first["id"], 300)["status"] == "done"
        assert wait_done(running, second["id"], 300)["status"] == "done"
    finally:
        running.stop(0)


def test_token_and_contract_endpoints(denoiser):
    running = start_server(denoiser, ServerConfig(port=0, http_port=0, token="t0k"))
    try:
        status, reply = request(running, "GET", "/v1/health")
        assert status == 401 and "token" in reply["error"]
        status, health = request(running, "GET", "/v1/health", headers={"Authorization": "Bearer t0k"})
        assert status == 200
        conforms(health, "Health")
        status, info = request(running, "GET", "/v1/info", headers={"Authorization": "Bearer t0k"})
        conforms(info, "Info")
        status, spec = request(running, "GET", "/openapi.json", headers={"Authorization": "Bearer t0k"})
        assert spec == SPEC
    finally:
        running.stop(0)
