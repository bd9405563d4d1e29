"""The REAPER actions, run by a real Lua 5.4 against a fake `reaper` API, talking to a real server."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from ..conftest import tone_and_noise

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "host_scripts" / "reaper"
TAKE_ACTION = SCRIPTS / "nr-bridge - Denoise selected items (new take).lua"
STEMS_ACTION = SCRIPTS / "nr-bridge - Denoise selected items (voice and noise stems).lua"
SETTINGS_ACTION = SCRIPTS / "nr-bridge - Settings.lua"
LUA = shutil.which("lua5.4")
pytestmark = pytest.mark.skipif(LUA is None, reason="needs Debian lua5.4 (scripts/test.sh installs it)")
COMMAND = f"{sys.executable} -m nr_bridge.cli"
RATE = 48000


@pytest.fixture(scope="module")
def server_address():
    process = subprocess.Popen([sys.executable, "-m", "nr_bridge.cli", "serve", "--port", "0", "--precision", "fp32"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = process.stdout.readline()
    while "listening on" not in line:
        assert line, "server did not start"
        line = process.stdout.readline()
    yield re.search(r"listening on (\S+)", line).group(1)
    process.terminate()
    process.wait(30)


@pytest.fixture
def source(tmp_path):
    media = tmp_path / "media"
    media.mkdir()
    path = media / "dialog.wav"
    sf.write(path, tone_and_noise(6.0, RATE, 2, seed=4), RATE, subtype="PCM_16")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_action(tmp_path, action: Path, server: str, items: str, extra: str = "") -> dict:
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    scenario = tmp_path / "scenario.lua"
    scenario.write_text(f"""
return function(F)
  F.project_path = {lua_string(str(project))}
  F.ext["nr_bridge/server"] = {lua_string(server)}
  F.ext["nr_bridge/command"] = {lua_string(COMMAND)}
  local track = F.add_track("Dialog")
  {items}
  {extra}
end
""")
    result = subprocess.run([LUA, str(SCRIPTS.parent.parent / "tests" / "reaper" / "run_action.lua"), str(scenario),
                             str(action)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def item_lua(source: Path, position=10.0, length=2.0, startoffs=1.5, playrate=1.0) -> str:
    return (f"F.add_item(track, {{position={position}, length={length}, startoffs={startoffs}, "
            f"playrate={playrate}, source_file={lua_string(str(source))}, name='dialog'}})")


def section(source: Path, start_s: float, stop_s: float) -> np.ndarray:
    audio, _ = sf.read(source, dtype="float32")
    return audio[int(round(start_s * RATE)):int(round(stop_s * RATE))]


def test_new_take_holds_the_denoised_used_section(tmp_path, source, server_address, denoiser):
    before = digest(source)
    project = run_action(tmp_path, TAKE_ACTION, server_address, item_lua(source))
    assert project["messages"] == [] and project["undo"] == ["nr-bridge: denoise selected items (new take)"]
    assert project["undo_depth"] == 0 and project["ui_refresh"] == 0
    [item] = project["tracks"][0]["items"]
    assert len(item["takes"]) == 2 and item["active"] == 2
    original, new = item["takes"]
    assert original["file"] == str(source) and original["startoffs"] == 1.5
    assert new["startoffs"] == 0 and new["playrate"] == 1.0 and new["name"] == "dialog (denoised)"
    out = Path(new["file"])
    assert out.parent == tmp_path / "project" and out.name == "dialog-denoised.wav"
    voice, rate = sf.read(out, dtype="float32")
    expected = denoiser.denoise(section(source, 1.5, 3.5), RATE).voice
    assert rate == RATE and voice.shape == expected.shape == (2 * RATE, 2)
    np.testing.assert_allclose(voice, expected, atol=3 / 32768)  # 16-bit output of the same model
    assert digest(source) == before  # the source media is untouched


def test_stems_go_on_new_tracks_aligned_and_sum_to_the_section(tmp_path, source, server_address):
    project = run_action(tmp_path, STEMS_ACTION, server_address, item_lua(source, startoffs=0.5, playrate=2.0))
    assert project["messages"] == []
    assert [t["name"] for t in project["tracks"]] == ["Dialog", "Dialog Voice", "Dialog Noise"]
    assert project["undo"] == ["nr-bridge: denoise selected items (voice and noise stems)"]
    [voice_item], [noise_item] = project["tracks"][1]["items"], project["tracks"][2]["items"]
    for stem_item in (voice_item, noise_item):
        assert stem_item["position"] == 10.0 and stem_item["length"] == 2.0
        assert stem_item["takes"][0]["playrate"] == 2.0 and stem_item["takes"][0]["startoffs"] == 0
    voice, _ = sf.read(voice_item["takes"][0]["file"], dtype="float32")
    noise, _ = sf.read(noise_item["takes"][0]["file"], dtype="float32")
    used = section(source, 0.5, 0.5 + 2.0 * 2.0)  # playrate 2: twice the item length of source
    assert voice.shape == noise.shape == used.shape
    np.testing.assert_allclose(voice + noise, used, atol=3 / 32768)
    assert len(project["tracks"][0]["items"][0]["takes"]) == 1  # the original item is untouched


def test_second_run_gets_a_unique_name(tmp_path, source, server_address):
    first = run_action(tmp_path, TAKE_ACTION, server_address, item_lua(source))
    second = run_action(tmp_path, TAKE_ACTION, server_address, item_lua(source))
    names = {Path(p["tracks"][0]["items"][0]["takes"][1]["file"]).name for p in (first, second)}
    assert names == {"dialog-denoised.wav", "dialog-denoised-2.wav"}


def test_midi_empty_and_missing_items_are_skipped_with_reasons(tmp_path, source, server_address):
    items = f"""
  F.add_item(track, {{position=0, length=1, midi=true}})
  F.add_item(track, {{position=2, length=1}})
  F.add_item(track, {{position=4, length=1, source_file={lua_string(str(tmp_path / 'gone.wav'))}}})
"""
    project = run_action(tmp_path, TAKE_ACTION, server_address, items)
    [message] = project["messages"]
    assert "item 1: MIDI item" in message and "item 2: empty item (no take)" in message
    assert "item 3: source file missing" in message and "select audio items" in message
    assert project["undo"] == [] and project["commands"] == []
    assert all(len(i["takes"]) <= 1 for i in project["tracks"][0]["items"])


def test_server_down_reports_and_changes_nothing(tmp_path, source):
    project = run_action(tmp_path, TAKE_ACTION, "127.0.0.1:9", item_lua(source))
    [message] = project["messages"]
    assert "item 1: server unreachable" in message
    assert project["undo"] == [] and len(project["tracks"][0]["items"][0]["takes"]) == 1
    assert not list((tmp_path / "project").iterdir())


def test_cancel_stops_the_job_and_changes_nothing(tmp_path, server_address):
    long_source = tmp_path / "long.wav"
    sf.write(long_source, tone_and_noise(60.0, RATE, 2), RATE, subtype="PCM_16")
    project = run_action(tmp_path, TAKE_ACTION, server_address, item_lua(long_source, length=55.0, startoffs=0),
                         extra="for k = 1, 200 do F.getchar_script[k] = (k == 40) and 27 or 0 end")
    assert any(m.startswith("Cancelled") for m in project["messages"])
    assert project["undo"] == [] and len(project["tracks"][0]["items"][0]["takes"]) == 1
    deadline = time.monotonic() + 60  # the killed CLI unwinds and removes its partial file
    while list((tmp_path / "project").iterdir()) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert list((tmp_path / "project").iterdir()) == []


def test_settings_are_stored_and_validated(tmp_path):
    ok = run_action(tmp_path, SETTINGS_ACTION, "auto", "", extra='F.inputs = "127.0.0.1:5000|12||nr-bridge"')
    assert ok["ext"]["nr_bridge/server"] == "127.0.0.1:5000" and ok["ext"]["nr_bridge/strength"] == "12"
    assert ok["ext"]["nr_bridge/out_dir"] == ""
    bad = run_action(tmp_path, SETTINGS_ACTION, "auto", "", extra='F.inputs = "auto|loud||nr-bridge"')
    assert "Strength must be" in bad["messages"][0] and "nr_bridge/strength" not in bad["ext"]


def test_reapack_index_lists_every_action():
    index = (SCRIPTS / "index.xml").read_text()
    for action in (TAKE_ACTION, STEMS_ACTION, SETTINGS_ACTION):
        assert f"<source main=\"main\">{action.name}</source>" in index
        header = action.read_text().splitlines()[:4]
        assert header[0].startswith("-- @description") and any("@version" in h for h in header)


def test_a_wrong_command_is_reported(tmp_path, source):
    project = run_action(tmp_path, TAKE_ACTION, "auto", item_lua(source),
                         extra='F.ext["nr_bridge/command"] = "/nonexistent/nr-bridge"; '
                               'F.ext["nr_bridge/start_timeout"] = "2"')
    assert "did not start" in project["messages"][0] and project["undo"] == []
