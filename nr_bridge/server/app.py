"""Building, starting and stopping the gRPC server (``nr-bridge serve``)."""
from __future__ import annotations

import logging
import signal
import threading
from concurrent import futures
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from ..engine import Denoiser
from ..v1 import denoiser_pb2, denoiser_pb2_grpc
from .auth import TokenInterceptor, is_loopback
from .http_api import HttpApi
from .jobs import JobSlots
from .servicer import MAX_BLOCK_BYTES, DenoiserServicer

SERVICE = "nr_bridge.v1.Denoiser"
DEFAULT_PORT = 50551


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT  # 0: an ephemeral port
    token: str | None = None
    workers: int = 2
    queue_size: int = 8
    grace_seconds: float = 30.0
    http_port: int | None = None  # the HTTP/JSON job API; None: off, 0: an ephemeral port


class RunningServer:
    """A started server: its port, and ``stop()`` (health NOT_SERVING first, then drain)."""

    def __init__(self, server: grpc.Server, health_servicer: health.HealthServicer, port: int, cfg: ServerConfig,
                 http: HttpApi | None = None):
        self.server, self.health, self.port, self.cfg, self.http = server, health_servicer, port, cfg, http

    @property
    def address(self) -> str:
        host = f"[{self.cfg.host}]" if ":" in self.cfg.host else self.cfg.host
        return f"{host}:{self.port}"

    def stop(self, grace: float | None = None) -> None:
        for name in ("", SERVICE):
            self.health.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
        if self.http:
            self.http.stop()
        self.server.stop(self.cfg.grace_seconds if grace is None else grace).wait()


def start_server(denoiser: Denoiser, cfg: ServerConfig) -> RunningServer:
    if not is_loopback(cfg.host) and not cfg.token:
        raise ValueError(f"listening on {cfg.host} (beyond this machine) requires a token")
    interceptors = [TokenInterceptor(cfg.token)] if cfg.token else []
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=cfg.workers + cfg.queue_size + 4),
        interceptors=interceptors,
        options=[("grpc.max_receive_message_length", 2 * MAX_BLOCK_BYTES + 1024),
                 ("grpc.max_send_message_length", 4 * MAX_BLOCK_BYTES)],
        maximum_concurrent_rpcs=cfg.workers + cfg.queue_size + 8,
    )
    slots = JobSlots(cfg.workers, cfg.queue_size)
    denoiser_pb2_grpc.add_DenoiserServicer_to_server(DenoiserServicer(denoiser, slots), server)
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = (denoiser_pb2.DESCRIPTOR.services_by_name["Denoiser"].full_name, health.SERVICE_NAME,
             reflection.SERVICE_NAME)
    reflection.enable_server_reflection(names, server)
    host = f"[{cfg.host}]" if ":" in cfg.host else cfg.host
    port = server.add_insecure_port(f"{host}:{cfg.port}")
    if port == 0:
        raise OSError(f"cannot listen on {cfg.host}:{cfg.port} (port in use?)")
    server.start()
    http = HttpApi(denoiser, slots, cfg.host, cfg.http_port, cfg.token) if cfg.http_port is not None else None
    for name in ("", SERVICE):
        health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    return RunningServer(server, health_servicer, port, cfg, http)


def serve_forever(denoiser: Denoiser, cfg: ServerConfig, announce=print) -> None:
    """Run until SIGTERM/SIGINT; then health goes NOT_SERVING and running jobs get ``grace_seconds``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    running = start_server(denoiser, cfg)
    announce(f"nr-bridge server listening on {running.address}", flush=True)
    if running.http:
        announce(f"nr-bridge HTTP API listening on {cfg.host}:{running.http.port}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    logging.getLogger("nr_bridge.server").info("shutting down")
    running.stop()
