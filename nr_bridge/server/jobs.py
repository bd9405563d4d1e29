"""Admission of jobs: a bounded number run at once, a bounded number wait, the rest are refused."""
from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import contextmanager


class QueueFull(Exception):
    """Every worker is busy and the waiting queue is full."""


class JobSlots:
    """``workers`` jobs run at once; up to ``queue_size`` more wait; more than that raise QueueFull."""

    def __init__(self, workers: int, queue_size: int):
        self.workers, self.queue_size = workers, queue_size
        self._lock = threading.Condition()
        self._running = 0
        self._waiting = 0

    @property
    def running(self) -> int:
        return self._running

    def check_room(self) -> None:
        """Raise QueueFull now if a new job could neither run nor wait."""
        with self._lock:
            if self._running >= self.workers and self._waiting >= self.queue_size:
                raise QueueFull(f"server busy: {self._running} jobs running and {self._waiting} waiting "
                                f"(queue size {self.queue_size}); try again later")

    @contextmanager
    def slot(self, still_wanted: Callable[[], bool]):
        """Hold a worker for the ``with`` body; waits while ``still_wanted()`` (gives up when False)."""
        self.check_room()
        with self._lock:
            self._waiting += 1
            try:
                while self._running >= self.workers:
                    self._lock.wait(timeout=0.1)
                    if not still_wanted():
                        raise QueueFull("client went away while waiting")
            finally:
                self._waiting -= 1
            self._running += 1
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                self._lock.notify_all()
