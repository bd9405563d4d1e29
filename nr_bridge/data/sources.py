"""Which registry packages feed the training data, which files inside them, and their licences.

Every source is a Debian package fetched with ``apt-get download`` and unpacked with ``dpkg-deb -x``.
``pattern`` is a regex on the path inside the package (or inside ``zip_member`` when the audio sits in an
archive); its named group ``group`` is the split key: the speaker/language for speech (no language in
both train and validation), the file itself for noise and music.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    package: str
    kind: str  # "speech" | "noise" | "music"
    family: str  # noise family / speech corpus name
    pattern: str
    licence: str
    exclude: str | None = None
    zip_member: str | None = None
    small: bool = False  # included by ``--small`` (tests, CI)


SOURCES: tuple[Source, ...] = (
    # speech (clean targets after bandwidth extension; see convert.fold_bandwidth)
    Source("tuxpaint-stamps-default", "speech", "tuxpaint", r"_desc_(?P<group>[A-Za-z@]+)\.ogg$", "GPL-2"),
    Source("klettres-data", "speech", "klettres", r"/klettres/(?P<group>[^/]+)/[^/]+/[^/]+\.ogg$",
           "GPL-2+ / CC0"),
    Source("ktuberling-data", "speech", "ktuberling",
           r"/sounds/(?P<group>[^/]+)/[^/]+\.(ogg|wav)$", "GPL-2+ / CC0 / CC-BY"),
    Source("fillets-ng-data-cs", "speech", "fillets-cs", r"/cs/(?P<group>[a-z0-9]+)-[^/]*\.ogg$", "GPL-2"),
    # noise
    Source("tuxpaint-stamps-default", "noise", "household", r"stamps/(?P<group>.+)\.ogg$", "GPL-2",
           exclude=r"_desc_"),
    Source("bucklespring-data", "noise", "keyboard", r"/buckle/wav/(?P<group>[^/]+)\.wav$", "GPL-2+",
           small=True),
    Source("minetest-data", "noise", "footsteps-fire-doors", r"/sounds/(?P<group>[^/]+)\.ogg$",
           "CC-BY-SA-3.0 / CC0", small=True),
    Source("lincity-ng-data", "noise", "city-traffic", r"/sounds/(?P<group>[^/]+)\.(ogg|wav)$", "GPL-2+"),
    Source("widelands-data", "noise", "nature-work", r"/data/sound/(?P<group>.+)\.ogg$",
           "GPL-2+ / CC-BY-SA"),
    Source("supertuxkart-data", "noise", "engines", r"/data/sfx/(?P<group>[^/]+)\.ogg$", "CC-BY-SA / CC0"),
    Source("0ad-data", "noise", "weather-water-ambience", r"^audio/ambient/(?P<group>.+)\.ogg$",
           "CC-BY-SA-3.0", zip_member="usr/share/games/0ad/mods/public/public.zip"),
    Source("sonic-pi-samples", "noise", "vinyl-ambient", r"/samples/(?P<group>(vinyl|ambi)_[^/]+)\.flac$",
           "CC0 (mostly; see package copyright)", small=True),
    # music (the voice-vs-music base stage)
    Source("hedgewars-data", "music", "hedgewars", r"/Data/Music/(?P<group>[^/]+)\.ogg$", "GPL-2 / CC-BY"),
    Source("widelands-data", "music", "widelands", r"/data/music/(?P<group>[^/]+)\.ogg$", "GPL-2+ / CC-BY-SA"),
    Source("supertuxkart-data", "music", "supertuxkart", r"/data/music/(?P<group>[^/]+)\.ogg$",
           "CC-BY-SA / CC0"),
    Source("sonic-pi-samples", "music", "sonic-pi-loops", r"/samples/(?P<group>(loop|guit|bass)_[^/]+)\.flac$",
           "CC0 (mostly; see package copyright)", small=True),
)
