"""A real gRPC server on 127.0.0.1 (ephemeral port) with the real model."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import grpc
import numpy as np
import pytest

from nr_bridge.client import Client, ensure_server
from nr_bridge.server.app import ServerConfig, start_server
from nr_bridge.v1 import denoiser_pb2 as pb
from nr_bridge.v1 import denoiser_pb2_grpc as pb_grpc

from ..conftest import tone_and_noise

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(denoiser):
    running = start_server(denoiser, ServerConfig(port=0, workers=2, queue_size=4))
    yield running
    running.stop(0)


@pytest.fixture
def client(server):
    c = Client(server.address)
    yield c
    c.close()


def config(**overrides) -> pb.DenoiseRequest:
    values = dict(sample_rate=44100, channels=2, sample_format=pb.SAMPLE_FORMAT_F32)
    values.update(overrides)
    return pb.DenoiseRequest(config=pb.JobConfig(**values))


def audio_request(audio: np.ndarray, dtype="<f4") -> pb.DenoiseRequest:
    return pb.DenoiseRequest(audio=pb.AudioBlock(data=np.ascontiguousarray(audio, dtype=dtype).tobytes()))


def call(server, requests, metadata=()):
    stub = pb_grpc.DenoiserStub(grpc.insecure_channel(server.address))
    return list(stub.Denoise(iter(requests), metadata=metadata, timeout=60))


def test_round_trip_equals_in_process(client, denoiser):
    audio = tone_and_noise(5.0, 48000, 2, seed=1)
    remote = client.denoise(audio, 48000, strength_db=20.0)
    local = denoiser.denoise(audio, 48000, strength_db=20.0)
    assert remote.voice.shape == audio.shape
    np.testing.assert_allclose(remote.voice, local.voice, atol=1e-6)
    np.testing.assert_allclose(remote.noise, local.noise, atol=1e-6)


def test_int16_round_trip_and_summary(server, denoiser):
    audio = tone_and_noise(3.0, 44100, 1)
    as_int = np.round(audio * 32767).astype("<i2")  # (frames, 1)
    responses = call(server, [config(channels=1, sample_format=pb.SAMPLE_FORMAT_I16, label="clip"),
                              audio_request(as_int, "<i2")])
    voice = np.concatenate([np.frombuffer(r.stem.data, "<i2") for r in responses if r.HasField("stem")])
    expected = denoiser.denoise(as_int, 44100).voice[:, 0]
    assert voice.shape == (as_int.shape[0],)
    assert np.abs(voice / 32768 - expected).max() <= 1.5 / 32768
    summary = responses[-1].summary
    assert summary.frames == as_int.shape[0] and summary.duration_seconds == pytest.approx(3.0)
    assert summary.real_time_factor > 0


def test_stems_and_progress_stream_back_while_uploading(server):
    rate, block = 44100, 44100
    audio = tone_and_noise(16.0, rate, 2)
    sent_all = threading.Event()

    def requests():
        yield config(total_frames=audio.shape[0])
        for start in range(0, audio.shape[0], block):
            yield audio_request(audio[start:start + block])
            time.sleep(0.3)  # a slow upload: 16 s of audio over ~5 s
        sent_all.set()

    stub = pb_grpc.DenoiserStub(grpc.insecure_channel(server.address))
    stem_before_end = progress_before_end = False
    fractions = []
    for response in stub.Denoise(requests(), timeout=120):
        if response.HasField("stem") and not sent_all.is_set():
            stem_before_end = True
        if response.HasField("progress"):
            fractions.append(response.progress.fraction)
            progress_before_end |= not sent_all.is_set()
    assert stem_before_end and progress_before_end
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)


def slow_job(server, started: threading.Event, release: threading.Event):
    """A job that holds its worker until ``release`` is set; returns the call (cancellable)."""
    def requests():
        yield config()
        yield audio_request(np.zeros((4410, 2), np.float32))
        started.set()
        release.wait(30)

    stub = pb_grpc.DenoiserStub(grpc.insecure_channel(server.address))
    return stub.Denoise(requests(), timeout=60)


def test_queue_full_is_resource_exhausted_and_cancel_frees_the_worker(denoiser):
    running = start_server(denoiser, ServerConfig(port=0, workers=1, queue_size=0))
    try:
        started, release = threading.Event(), threading.Event()
        holder = slow_job(running, started, release)
        first = next(holder)  # the holder is running (it got a progress message back)
        assert first.HasField("progress") or first.HasField("stem")
        with pytest.raises(grpc.RpcError) as refused:
            call(running, [config(), audio_request(np.zeros((100, 2)))])
        assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "busy" in refused.value.details()
        holder.cancel()
        t0 = time.monotonic()
        responses = None
        while time.monotonic() - t0 < 5:  # the freed worker takes the next job at once
            try:
                responses = call(running, [config(), audio_request(np.zeros((100, 2)))])
                break
            except grpc.RpcError as error:
                assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                time.sleep(0.05)
        assert responses is not None and responses[-1].HasField("summary")
        assert time.monotonic() - t0 < 5
        release.set()
    finally:
        running.stop(0)


BAD_CASES = [
    ([audio_request(np.zeros((10, 2)))], "first message must carry the job config"),
    ([config(sample_rate=0)], "sample rate"),
    ([config(channels=0)], "channel count"),
    ([config(sample_format=pb.SAMPLE_FORMAT_UNSPECIFIED)], "sample_format"),
    ([config(), pb.DenoiseRequest(audio=pb.AudioBlock(data=b"\x00" * 7))], "not a whole number of frames"),
    ([config(), audio_request(np.full((10, 2), np.nan))], "NaN"),
    ([config(), audio_request(np.zeros((600_000, 2)))], "over the limit"),
    ([config(), config()], "only audio blocks"),
    ([config(strength_db=-1.0)], "non-negative"),
]


@pytest.mark.parametrize("requests,message", BAD_CASES)
def test_bad_input_is_invalid_argument_and_server_keeps_serving(server, client, requests, message):
    with pytest.raises(grpc.RpcError) as error:
        call(server, requests)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in error.value.details()
    assert client.denoise(np.zeros((1000, 1), np.float32), 16000).voice.shape == (1000, 1)


def test_four_concurrent_clients_all_correct(server, denoiser):
    clips = [tone_and_noise(2.0 + k, 44100, 2, seed=k) for k in range(4)]

    def run(clip):
        c = Client(server.address)
        try:
            return c.denoise(clip, 44100)
        finally:
            c.close()

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(run, clips))
    for clip, stems in zip(clips, results):
        np.testing.assert_allclose(stems.voice, denoiser.denoise(clip, 44100).voice, atol=1e-6)


def test_token_is_checked_on_every_call(denoiser):
    running = start_server(denoiser, ServerConfig(port=0, token="s3cret"))
    try:
        anonymous = Client(running.address)
        with pytest.raises(grpc.RpcError) as error:
            anonymous.info()
        assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.RpcError) as error:
            call(running, [config(), audio_request(np.zeros((10, 2)))], metadata=(("authorization", "Bearer nope"),))
        assert error.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert Client(running.address, token="s3cret").info().parameters > 0
    finally:
        running.stop(0)


def test_listening_beyond_loopback_requires_a_token(denoiser):
    with pytest.raises(ValueError, match="requires a token"):
        start_server(denoiser, ServerConfig(host="0.0.0.0", port=0))
    result = subprocess.run([sys.executable, "-m", "nr_bridge.cli", "serve", "--host", "0.0.0.0", "--port", "0"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--token" in result.stderr


def test_generated_code_is_in_sync_with_the_proto(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_proto.py"), str(tmp_path)], check=True)
    for name in ("denoiser_pb2.py", "denoiser_pb2_grpc.py", "denoiser_pb2.pyi"):
        assert (tmp_path / "nr_bridge" / "v1" / name).read_text() == (ROOT / "nr_bridge" / "v1" / name).read_text()


def test_serve_prints_port_logs_jobs_and_stops_on_sigterm(tmp_path):
    process = subprocess.Popen([sys.executable, "-m", "nr_bridge.cli", "serve", "--port", "0", "--precision", "fp32"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = process.stdout.readline()
        while "listening on" not in line:
            assert line, "server exited before listening"
            line = process.stdout.readline()
        address = re.search(r"listening on (\S+)", line).group(1)
        client = Client(address)
        assert client.healthy()
        client.denoise(np.zeros((2000, 2), np.float32), 44100, label="probe-clip")
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        assert re.search(r"job label=probe-clip duration=0\.05s rtf=\S+ result=ok", output)
        assert not client.healthy(timeout=0.5)
    finally:
        if process.poll() is None:
            process.kill()


def test_ensure_server_starts_one_when_none_answers(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"127.0.0.1:{port}"
    assert not Client(address).healthy(timeout=0.5)
    try:
        assert ensure_server(address, timeout=120, log_path=tmp_path / "server.log") == address
        assert Client(address).healthy()
        assert ensure_server(address, timeout=5) == address  # already up: reused
    finally:
        subprocess.run(["pkill", "-TERM", "-f", f"nr_bridge.cli serve --host 127.0.0.1 --port {port}"])


def test_source_path_reads_a_video_section_on_the_server(server, denoiser, tmp_path):
    from nr_bridge.audio_io import read_blocks

    from ..conftest import write_media

    video = write_media(tmp_path / "take.mov", tone_and_noise(4.0, 48000, 2, seed=3), 48000, "pcm_s16le", video=True)
    responses = call(server, [config(sample_rate=0, channels=0, source_path=str(video), start_seconds=1.0,
                                     end_seconds=3.5, stems=[pb.STEM_VOICE, pb.STEM_NOISE], label="take")])
    assert responses[0].WhichOneof("payload") == "source"
    assert (responses[0].source.sample_rate, responses[0].source.channels) == (48000, 2)
    assert responses[0].source.total_frames == 120000
    stems = {name: np.concatenate([np.frombuffer(r.stem.data, "<f4") for r in responses
                                   if r.HasField("stem") and r.stem.stem == code]).reshape(-1, 2)
             for name, code in (("voice", pb.STEM_VOICE), ("noise", pb.STEM_NOISE))}
    section = np.concatenate(list(read_blocks(video, start=48000, stop=168000)))
    expected = denoiser.denoise(section, 48000)
    np.testing.assert_allclose(stems["voice"], expected.voice, atol=1e-6)
    assert np.abs(stems["voice"] + stems["noise"] - section).max() < 1e-5
    fractions = [r.progress.fraction for r in responses if r.HasField("progress")]
    assert fractions[-1] == 1.0


@pytest.mark.parametrize("path, message", [("/no/such/clip.mov", "no such file"), ("NOTE", "not a readable audio file")])
def test_source_path_errors_are_invalid_argument(server, tmp_path, path, message):
    if path == "NOTE":
        path = tmp_path / "note.mov"
        path.write_text("not media")
    with pytest.raises(grpc.RpcError) as error:
        call(server, [config(source_path=str(path))])
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in error.value.details()


def test_source_path_is_refused_for_clients_on_other_machines():
    from nr_bridge.server.servicer import BadRequest, DenoiserServicer

    class RemotePeer:
        def peer(self):
            return "ipv4:192.0.2.7:50123"

    with pytest.raises(BadRequest, match="only from clients on this machine"):
        DenoiserServicer._source(pb.JobConfig(source_path="/etc/hostname"), RemotePeer())


def test_client_file_jobs_never_write_over_the_input(client, tmp_path):
    import soundfile as sf

    from nr_bridge.audio_io import AudioFileError

    path = tmp_path / "take.wav"
    sf.write(path, tone_and_noise(1.0, 44100, 1), 44100, subtype="PCM_16")
    before = path.read_bytes()
    with pytest.raises(AudioFileError, match="overwrite the input"):
        client.denoise_file(path, {"voice": path})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["take.wav"]
