"""Synthetic clean speech from espeak-ng (Debian package, GPL-3+): many voices, full control.

Each voice (language + variant) is one split group, like a speaker.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

# IEEE "Harvard" sentences (1969, public domain).
SENTENCES = (
    "The birch canoe slid on the smooth planks.", "Glue the sheet to the dark blue background.",
    "It's easy to tell the depth of a well.", "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.", "The juice of lemons makes fine punch.",
    "The box was thrown beside the parked truck.", "The hogs were fed chopped corn and garbage.",
    "Four hours of steady work faced us.", "A large size in stockings is hard to sell.",
    "The boy was there when the sun rose.", "A rod is used to catch pink salmon.",
    "The source of the huge river is the clear spring.", "Kick the ball straight and follow through.",
    "Help the woman get back to her feet.", "A pot of tea helps to pass the evening.",
    "Smoky fires lack flame and heat.", "The soft cushion broke the man's fall.",
    "The salt breeze came across from the sea.", "The girl at the booth sold fifty bonds.",
    "The small pup gnawed a hole in the sock.", "The fish twisted and turned on the bent hook.",
    "Press the pants and sew a button on the vest.", "The swan dive was far short of perfect.",
)
VOICES = tuple(f"{lang}+{variant}" for lang in ("en", "en-us", "de", "fr", "es", "it", "pl", "sv")
               for variant in ("m1", "m3", "f2", "f4", "croak", "klatt"))
LICENCE = "espeak-ng GPL-3+; text: IEEE Harvard sentences, public domain"


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def synthesize(voice: str, text: str, speed_wpm: int) -> bytes:
    """WAV bytes (22.05 kHz mono) of ``text`` spoken by espeak-ng ``voice``."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed_wpm), "-w", str(out), text],
                       check=True, capture_output=True)
        return out.read_bytes()


def utterances(voices: tuple[str, ...] = VOICES, per_voice: int = 6) -> list[tuple[str, str, int]]:
    """(voice, text, words per minute) triples: ``per_voice`` sentence pairs per voice, varied speed."""
    jobs = []
    for v, voice in enumerate(voices):
        for i in range(per_voice):
            k = (v * per_voice + 2 * i) % len(SENTENCES)
            text = f"{SENTENCES[k]} {SENTENCES[(k + 1) % len(SENTENCES)]}"
            jobs.append((voice, text, 130 + 15 * ((v + i) % 5)))
    return jobs
