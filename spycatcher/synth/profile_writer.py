"""Writing the profiles file, in this process or in a forked child.

Profiles and events are independent once the network is planned, so on a machine with two cores
a child process writes profiles while the parent writes events. The child is forked after
planning and shares the plan copy-on-write; it reports progress (and any error) over a pipe.
"""

from __future__ import annotations

import multiprocessing as mp
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from spycatcher.synth.profiles import ProfileBuilder
from spycatcher.synth.writer import Sink, write_profiles


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def write_profile_file(
    builder: ProfileBuilder, path: Path, gzip: bool, tell: Callable[[int], None]
) -> None:
    done = 0
    with Sink(path, gzip) as sink:
        for chunk in builder.chunks():
            write_profiles(sink, chunk)
            done += len(chunk)
            tell(done)


def _profile_child(builder: ProfileBuilder, path: Path, gzip: bool, send: Any) -> None:
    try:
        write_profile_file(builder, path, gzip, lambda d: send.send(("progress", d)))
        send.send(("done", 0))
    except BaseException:
        # The parent raises with this traceback; exiting quietly avoids printing it twice.
        send.send(("error", traceback.format_exc()))
        raise SystemExit(1) from None
    finally:
        send.close()


class ProfileWorker:
    """Writes the profiles file in a forked child (sharing the plan copy-on-write)."""

    def __init__(self, builder: ProfileBuilder, path: Path, gzip: bool) -> None:
        ctx = mp.get_context("fork")
        self.recv, send = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_profile_child, args=(builder, path, gzip, send))
        self.proc.start()
        send.close()
        self.error: str | None = None
        self.done = False

    def _handle(self, msg: tuple[str, Any], tell: Callable[[int], None]) -> None:
        kind, value = msg
        if kind == "progress":
            tell(int(value))
        elif kind == "error":
            self.error = str(value)
        elif kind == "done":
            self.done = True

    def poll(self, tell: Callable[[int], None]) -> None:
        while self.recv.poll():
            try:
                self._handle(self.recv.recv(), tell)
            except EOFError:
                return

    def abort(self) -> None:
        """Stop the child (the parent failed); its half-written file is left as it is."""
        if self.proc.is_alive():
            self.proc.terminate()
        self.proc.join()
        self.recv.close()

    def finish(self, tell: Callable[[int], None]) -> None:
        while True:
            try:
                self._handle(self.recv.recv(), tell)
            except EOFError:
                break
        self.proc.join()
        self.recv.close()
        if self.error or not self.done or self.proc.exitcode != 0:
            raise RuntimeError(f"writing profiles failed: {self.error or self.proc.exitcode}")
