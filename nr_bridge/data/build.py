"""``nr-bridge data build``: fetch registry packages, convert their audio, split, write the manifest.

Layout under ``root``: ``debs/`` (downloaded packages), ``unpacked/<package>/``, ``audio/<kind>/<split>/...``
(FLAC, 44.1 kHz, 16 bit), ``licences/<package>.copyright`` and ``manifest.jsonl`` (one line per file:
package, version, licence, source path, file, kind, family, group, split, duration_s). Idempotent: a
file already converted is not redone, so an interrupted build resumes.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import soundfile as sf
from tqdm import tqdm

from .convert import TRAIN_RATE, to_training_audio
from .sources import SOURCES, Source
from .tts import LICENCE as TTS_LICENCE
from .tts import synthesize, utterances

VALIDATION_PERCENT = 15


def split_of(group: str, kind: str) -> str:
    """Deterministic train/validation split by group (speaker/language or file): ~15 % validation."""
    digest = int(hashlib.sha1(f"{kind}:{group}".encode()).hexdigest(), 16)
    return "validation" if digest % 100 < VALIDATION_PERCENT else "train"


def fetch_package(package: str, root: Path) -> tuple[Path, str]:
    """``apt-get download`` (once) and ``dpkg-deb -x``; returns the unpacked folder and the version."""
    debs = root / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    found = sorted(debs.glob(f"{package}_*.deb"))
    if not found:
        subprocess.run(["apt-get", "download", package], cwd=debs, check=True, capture_output=True)
        found = sorted(debs.glob(f"{package}_*.deb"))
    deb = found[-1]
    version = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], check=True, capture_output=True,
                             text=True).stdout.strip()
    unpacked = root / "unpacked" / package
    if not (unpacked / ".done").exists():
        shutil.rmtree(unpacked, ignore_errors=True)
        unpacked.mkdir(parents=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
        (unpacked / ".done").touch()
    copyright_file = unpacked / "usr/share/doc" / package / "copyright"
    if copyright_file.exists():
        (root / "licences").mkdir(exist_ok=True)
        shutil.copyfile(copyright_file, root / "licences" / f"{package}.copyright")
    return unpacked, version


@dataclass(frozen=True)
class Item:
    source: Source
    version: str
    origin: str  # path inside the package (or inside its zip)
    group: str
    split: str
    out: Path


def list_items(source: Source, unpacked: Path, version: str, root: Path) -> list[Item]:
    if source.zip_member:
        with zipfile.ZipFile(unpacked / source.zip_member) as archive:
            names = archive.namelist()
    else:
        names = [str(p.relative_to(unpacked)) for p in sorted(unpacked.rglob("*")) if p.is_file()]
    items = []
    for name in names:
        match = re.search(source.pattern, name)
        if not match or (source.exclude and re.search(source.exclude, name)):
            continue
        group = match.group("group")
        split = split_of(f"{source.family}/{group}", source.kind)
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", name.rsplit(".", 1)[0])[-120:]
        out = root / "audio" / source.kind / split / source.package / f"{stem}.flac"
        items.append(Item(source, version, name, group, split, out))
    return items


TTS_SOURCE = Source("espeak-ng", "speech", "espeak-ng", "", TTS_LICENCE, small=True)


def tts_items(root: Path, small: bool) -> list[Item]:
    jobs = utterances(per_voice=2 if small else 6)
    if small:
        jobs = [job for job in jobs if job[0].split("+")[0] in ("en", "de")]
    items = []
    for n, (voice, text, wpm) in enumerate(jobs):
        split = split_of(f"espeak-ng/{voice}", "speech")
        out = root / "audio" / "speech" / split / "espeak-ng" / f"{voice.replace('+', '_')}_{n:04d}.flac"
        items.append(Item(TTS_SOURCE, "tts", f"{voice}|{wpm}|{text}", voice, split, out))
    return items


def read_bytes(item: Item, unpacked: Path) -> bytes:
    if item.source.package == "espeak-ng":
        voice, wpm, text = item.origin.split("|", 2)
        return synthesize(voice, text, int(wpm))
    if item.source.zip_member:
        with zipfile.ZipFile(unpacked / item.source.zip_member) as archive:
            return archive.read(item.origin)
    return (unpacked / item.origin).read_bytes()


def convert_item(item: Item, unpacked: Path) -> dict | None:
    """Convert one file (skipped when already there); its manifest record, or None if unusable."""
    if not item.out.exists():
        try:
            audio = to_training_audio(read_bytes(item, unpacked), item.source.kind)
        except (RuntimeError, ValueError, sf.LibsndfileError):
            return None
        if audio is None:
            return None
        item.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = item.out.with_name(item.out.stem + ".tmp.flac")
        sf.write(tmp, audio, TRAIN_RATE, subtype="PCM_16")
        tmp.replace(item.out)
    info = sf.info(item.out)
    return {
        "package": item.source.package, "version": item.version, "licence": item.source.licence,
        "origin": item.origin, "file": str(item.out.relative_to(item.out.parents[4])),
        "kind": item.source.kind, "family": item.source.family, "group": item.group,
        "split": item.split, "duration_s": round(info.frames / info.samplerate, 3),
    }


def iter_sources(small: bool) -> Iterator[Source]:
    return (s for s in SOURCES if s.small or not small)


def build(root: Path, small: bool = False, workers: int = 2) -> Path:
    """Build (or resume) the data set under ``root``; returns the manifest path."""
    root = Path(root)
    records = []
    for source in iter_sources(small):
        unpacked, version = fetch_package(source.package, root)
        items = list_items(source, unpacked, version, root)
        with ProcessPoolExecutor(workers) as pool:
            futures = [pool.submit(convert_item, item, unpacked) for item in items]
            desc = f"{source.package} ({source.kind})"
            for future in tqdm(futures, desc=desc, unit="file", leave=False):
                record = future.result()
                if record:
                    records.append(record)
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(convert_item, item, root) for item in tts_items(root, small)]
        for future in tqdm(futures, desc="espeak-ng (speech)", unit="file", leave=False):
            record = future.result()
            if record:
                records.append(record)
    manifest = root / "manifest.jsonl"
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records))
    tmp.replace(manifest)
    return manifest


def read_manifest(root: Path) -> list[dict]:
    return [json.loads(line) for line in (Path(root) / "manifest.jsonl").read_text().splitlines() if line]


def summarise(records: list[dict]) -> dict:
    """Per source package and kind: version, licence, minutes and files per split (shipped with weights)."""
    sources: dict[tuple[str, str], dict] = {}
    for r in records:
        entry = sources.setdefault((r["package"], r["kind"]), {
            "package": r["package"], "kind": r["kind"], "version": r["version"], "licence": r["licence"],
            "families": set(), "minutes": 0.0, "files": 0, "minutes_by_split": {"train": 0.0, "validation": 0.0}})
        entry["families"].add(r["family"])
        entry["minutes"] += r["duration_s"] / 60
        entry["files"] += 1
        entry["minutes_by_split"][r["split"]] += r["duration_s"] / 60
    out = []
    for entry in sources.values():
        entry["families"] = sorted(entry["families"])
        entry["minutes"] = round(entry["minutes"], 2)
        entry["minutes_by_split"] = {k: round(v, 2) for k, v in entry["minutes_by_split"].items()}
        out.append(entry)
    return {"sources": sorted(out, key=lambda e: (e["kind"], e["package"])),
            "split_rule": f"sha1(kind:family/group) % 100 < {VALIDATION_PERCENT} -> validation; group = speaker or "
                          "language for speech, the file for noise and music",
            "synthetic": ["hum", "fan", "hiss", "room-tone", "babble (from the same split's speech)",
                          "typing (from bucklespring key recordings)"]}
