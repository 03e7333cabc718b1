"""Limits for untrusted files, shared by every reader in the project.

Everything spycatcher reads may have been made by an adversary: a data export a member was sent, a
dataset from the internet, a zip that claims to be a LinkedIn export. These limits keep one hostile
file from exhausting memory or disk, and from writing anywhere:

* a file is refused when it is larger than :attr:`Limits.max_file_bytes`;
* a zip is opened with :class:`SafeZip`, which refuses archives with too many members, a too large
  total uncompressed size, a member that decompresses more than :attr:`Limits.max_ratio` times its
  compressed size (a "zip bomb"), encrypted members, or member names that are absolute or climb
  out with ``..``. Members are only ever *read into memory* through a counting reader that stops
  at the limits whatever the headers claim; nothing is extracted to disk, so a member name never
  becomes a path;
* CSV fields are capped by :data:`CSV_FIELD_LIMIT` (set once, process-wide, on import) and a
  physical CSV line by :attr:`Limits.max_line_chars`, so a single enormous row cannot be loaded.

A limit that is crossed raises :class:`UntrustedFileError` naming the file and the reason; readers
turn it into a clear message rather than a traceback.
"""

from __future__ import annotations

import csv
import io
import stat
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

#: the largest CSV field accepted anywhere (a message body, a summary); csv's default is 128 KiB
CSV_FIELD_LIMIT = 4 * MIB


class UntrustedFileError(ValueError):
    """An untrusted file crossed a limit or is malformed in a way that makes it unsafe to read."""

    def __init__(self, path: str | Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Limits:
    """The numbers, in one place so that a deployment can tighten them (e.g. for a public upload).

    The defaults are generous for real data (a LinkedIn export is a few MiB; the largest public
    bot datasets are a few GiB of CSV) and far below what would hurt a 24 GiB machine.
    """

    #: a single file on disk (CSV, JSON, zip)
    max_file_bytes: int = 4 * GIB
    #: members in one zip
    max_zip_members: int = 10_000
    #: sum of the uncompressed sizes of all the members of one zip
    max_zip_total_bytes: int = 2 * GIB
    #: one zip member, uncompressed
    max_member_bytes: int = 1 * GIB
    #: uncompressed / compressed size of one member; real CSVs compress 5-30 times, bombs 1000+
    max_ratio: float = 200.0
    #: below this uncompressed size the ratio is not checked (a small file of blanks is no bomb)
    ratio_grace_bytes: int = 1 * MIB
    #: one physical line of a text file, in characters
    max_line_chars: int = 16 * MIB
    #: columns in one CSV row
    max_csv_columns: int = 2_000


DEFAULT_LIMITS = Limits()


def _install_csv_field_limit() -> None:
    # csv.field_size_limit is process-wide state with no per-reader option; every reader in the
    # project wants the same bound, so it is set once here.
    csv.field_size_limit(CSV_FIELD_LIMIT)


_install_csv_field_limit()


def check_file(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> int:
    """Refuse anything but a regular file within the size limit; returns its size in bytes."""
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise UntrustedFileError(p, "no such file") from None
    if not stat.S_ISREG(st.st_mode):
        raise UntrustedFileError(p, "not a regular file")
    if st.st_size > limits.max_file_bytes:
        raise UntrustedFileError(
            p, f"file is {st.st_size} bytes, more than the limit of {limits.max_file_bytes}"
        )
    return st.st_size


def open_untrusted(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> IO[bytes]:
    """Open a file for binary reading after checking it against the limits."""
    check_file(path, limits)
    return open(path, "rb")  # noqa: SIM115 - the caller closes it


def unsafe_member_name(name: str) -> str | None:
    """Why a zip member name is unacceptable, or None when it is fine.

    Names are never used as paths here, but an archive that contains absolute names or ``..``
    was crafted to attack extractors, and is refused as a whole.
    """
    if not name:
        return "empty member name"
    if "\x00" in name:
        return "member name contains a NUL byte"
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        return f"absolute member name {name[:80]!r}"
    if ".." in PurePosixPath(unified).parts:
        return f"member name climbs out of the archive: {name[:80]!r}"
    return None


class _LimitedReader(io.RawIOBase):
    """A read-only stream over a zip member that raises once it yields more than allowed.

    The declared sizes in a zip header are written by whoever made the zip, so the limits are
    enforced on the bytes actually produced, not on what the header claims.
    """

    def __init__(self, inner: IO[bytes], owner: SafeZip, info: zipfile.ZipInfo, label: str) -> None:
        super().__init__()
        self._inner = inner
        self._owner = owner
        self._info = info
        self._label = label
        self._produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        try:
            data = self._inner.read(len(buffer))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise UntrustedFileError(
                self._owner.path, f"member {self._label!r} is corrupt: {exc}"
            ) from None
        n = len(data)
        if n:
            self._produced += n
            self._owner._account(self._info, self._label, self._produced, n)
            buffer[:n] = data
        return n

    def close(self) -> None:
        try:
            self._inner.close()
        finally:
            super().close()


class SafeZip:
    """A zip archive opened under :class:`Limits`; members are read into memory, never extracted.

    Use as a context manager::

        with SafeZip(path) as z:
            for name in z.names():
                with z.open_member(name) as fh:   # a binary stream, bounded
                    ...
    """

    def __init__(self, path: str | Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.path = Path(path)
        self.limits = limits
        check_file(self.path, limits)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise UntrustedFileError(self.path, f"not a readable zip archive: {exc}") from None
        self._total_read = 0
        try:
            self._infos = self._check_directory()
        except BaseException:
            self._zip.close()
            raise

    def _check_directory(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        lim = self.limits
        if len(infos) > lim.max_zip_members:
            raise UntrustedFileError(
                self.path, f"zip has {len(infos)} members, more than {lim.max_zip_members}"
            )
        total = 0
        out: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            why = unsafe_member_name(info.filename)
            if why:
                raise UntrustedFileError(self.path, why)
            if info.is_dir():
                continue
            if info.flag_bits & 0x1:
                raise UntrustedFileError(self.path, f"member {info.filename!r} is encrypted")
            if info.file_size > lim.max_member_bytes:
                raise UntrustedFileError(
                    self.path,
                    f"member {info.filename!r} is {info.file_size} bytes uncompressed, "
                    f"more than {lim.max_member_bytes}",
                )
            self._check_ratio(info, info.file_size)
            total += info.file_size
            if total > lim.max_zip_total_bytes:
                raise UntrustedFileError(
                    self.path,
                    f"zip members add up to more than {lim.max_zip_total_bytes} bytes uncompressed",
                )
            if info.filename in out:
                raise UntrustedFileError(self.path, f"member {info.filename!r} appears twice")
            out[info.filename] = info
        return out

    def _check_ratio(self, info: zipfile.ZipInfo, produced: int) -> None:
        lim = self.limits
        if produced <= lim.ratio_grace_bytes:
            return
        ratio = produced / max(info.compress_size, 1)
        if ratio > lim.max_ratio:
            raise UntrustedFileError(
                self.path,
                f"member {info.filename!r} expands {ratio:.0f} times, more than {lim.max_ratio:g} "
                "(a zip bomb?)",
            )

    def _account(self, info: zipfile.ZipInfo, label: str, produced: int, new: int) -> None:
        lim = self.limits
        if produced > info.file_size or produced > lim.max_member_bytes:
            raise UntrustedFileError(
                self.path, f"member {label!r} produced more bytes than its header declares"
            )
        self._check_ratio(info, produced)
        self._total_read += new
        if self._total_read > lim.max_zip_total_bytes:
            raise UntrustedFileError(
                self.path, f"reading members produced more than {lim.max_zip_total_bytes} bytes"
            )

    def names(self) -> list[str]:
        """Member names (files only), in archive order."""
        return list(self._infos)

    def info(self, name: str) -> zipfile.ZipInfo:
        return self._infos[name]

    def open_member(self, name: str) -> IO[bytes]:
        """A bounded binary stream over one member (a name from :meth:`names`)."""
        info = self._infos.get(name)
        if info is None:
            raise KeyError(name)
        try:
            inner = self._zip.open(info, "r")
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError) as exc:
            raise UntrustedFileError(self.path, f"cannot read member {name!r}: {exc}") from None
        raw = _LimitedReader(inner, self, info, name)
        return io.BufferedReader(raw, buffer_size=64 * KIB)

    def read_member(self, name: str) -> bytes:
        """One member's bytes, read into memory under the limits."""
        with self.open_member(name) as fh:
            return fh.read()

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def bounded_lines(fh: IO[str], name: str | Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[str]:
    """Yield the physical lines of a text stream, refusing any longer than ``max_line_chars``.

    ``csv.reader`` would otherwise assemble a line of any length in memory before its field limit
    applies. A line that long cannot be skipped safely (it may sit inside a quoted field), so the
    whole file is refused.
    """
    cap = limits.max_line_chars
    while True:
        line = fh.readline(cap + 1)
        if not line:
            return
        if len(line) > cap:
            raise UntrustedFileError(name, f"a line is longer than {cap} characters")
        yield line
