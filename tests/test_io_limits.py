"""Limits for untrusted files: sizes, zip bombs, hostile member names, long lines and fields."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from spycatcher.io.csvutil import Column, open_table, text_stream
from spycatcher.io.limits import (
    CSV_FIELD_LIMIT,
    Limits,
    SafeZip,
    UntrustedFileError,
    bounded_lines,
    check_file,
    unsafe_member_name,
)
from spycatcher.io.records import LoadReport


def make_zip(path: Path, members: dict[str, bytes], *, deflate: bool = True) -> Path:
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", compression=method) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return path


def patch_central_directory(path: Path, offset: int, fmt: str, value: int) -> None:
    """Overwrite one field of the first central-directory entry (what a crafted zip would do)."""
    data = bytearray(path.read_bytes())
    cd = data.index(b"PK\x01\x02")
    struct.pack_into(fmt, data, cd + offset, value)
    path.write_bytes(bytes(data))


def test_check_file_refuses_large_files_and_non_files(tmp_path: Path) -> None:
    f = tmp_path / "a.csv"
    f.write_bytes(b"x" * 100)
    assert check_file(f, Limits(max_file_bytes=100)) == 100
    with pytest.raises(UntrustedFileError, match="more than the limit of 99"):
        check_file(f, Limits(max_file_bytes=99))
    with pytest.raises(UntrustedFileError, match="not a regular file"):
        check_file(tmp_path)
    with pytest.raises(UntrustedFileError, match="no such file"):
        check_file(tmp_path / "missing.csv")


def test_untrusted_file_error_names_path_and_reason(tmp_path: Path) -> None:
    err = UntrustedFileError(tmp_path / "x.zip", "too big")
    assert err.path.endswith("x.zip") and err.reason == "too big"
    assert str(err) == f"{tmp_path / 'x.zip'}: too big"


def test_safe_zip_reads_members_into_memory_without_extracting(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "export.zip", {"Connections.csv": b"a,b\n1,2\n", "dir/x.csv": b"q"})
    before = sorted(p.name for p in tmp_path.iterdir())
    with SafeZip(z) as sz:
        assert sz.names() == ["Connections.csv", "dir/x.csv"]
        assert sz.read_member("Connections.csv") == b"a,b\n1,2\n"
        with sz.open_member("dir/x.csv") as fh:
            assert fh.read() == b"q"
        with pytest.raises(KeyError):
            sz.open_member("nope.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "name",
    ["../evil.csv", "a/../../evil.csv", "/etc/passwd", "C:\\Windows\\x.csv", "..\\..\\x.csv"],
)
def test_safe_zip_refuses_absolute_and_climbing_names(tmp_path: Path, name: str) -> None:
    assert unsafe_member_name(name) is not None
    z = make_zip(tmp_path / "bad.zip", {"ok.csv": b"x", name: b"y"})
    with pytest.raises(UntrustedFileError, match="absolute|climbs"):
        SafeZip(z)


def test_ordinary_member_names_are_fine() -> None:
    for name in ["Connections.csv", "Jobs/Job Applications.csv", "a..b.csv", "dir/"]:
        assert unsafe_member_name(name) is None


def test_safe_zip_refuses_too_many_members(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "many.zip", {f"f{i}.csv": b"x" for i in range(11)})
    with pytest.raises(UntrustedFileError, match="11 members, more than 10"):
        SafeZip(z, Limits(max_zip_members=10))
    SafeZip(z, Limits(max_zip_members=11)).close()


def test_safe_zip_refuses_too_much_uncompressed_data(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "big.zip", {"a.csv": b"a" * 600, "b.csv": b"b" * 600})
    with pytest.raises(UntrustedFileError, match="add up to more than 1000"):
        SafeZip(z, Limits(max_zip_total_bytes=1000, ratio_grace_bytes=10**9))
    with pytest.raises(UntrustedFileError, match="more than 500"):
        SafeZip(z, Limits(max_member_bytes=500, ratio_grace_bytes=10**9))


def test_safe_zip_refuses_a_zip_bomb_member(tmp_path: Path) -> None:
    bomb = make_zip(tmp_path / "bomb.zip", {"Connections.csv": b"\0" * (8 * 1024 * 1024)})
    assert bomb.stat().st_size < 50_000
    with pytest.raises(UntrustedFileError, match="expands .* times.*zip bomb"):
        SafeZip(bomb)
    # the same ratio is harmless below the grace size
    small = make_zip(tmp_path / "small.zip", {"a.csv": b"\0" * 100_000})
    with SafeZip(small) as sz:
        assert len(sz.read_member("a.csv")) == 100_000


def test_safe_zip_total_read_limit_counts_actual_bytes(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "x.zip", {"a.csv": b"a" * 400})
    with SafeZip(z, Limits(max_zip_total_bytes=1000)) as sz:
        sz.read_member("a.csv")
        sz.read_member("a.csv")
        with pytest.raises(UntrustedFileError, match="produced more than 1000"):
            sz.read_member("a.csv")


def test_safe_zip_refuses_a_member_that_lies_about_its_size(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "liar.zip", {"a.csv": b"x" * 1000}, deflate=False)
    patch_central_directory(z, 24, "<I", 10)  # uncompressed size: claims 10 bytes
    with SafeZip(z) as sz, pytest.raises(UntrustedFileError, match="a.csv"):
        sz.read_member("a.csv")


def test_safe_zip_refuses_encrypted_members(tmp_path: Path) -> None:
    z = make_zip(tmp_path / "enc.zip", {"a.csv": b"x"})
    patch_central_directory(z, 8, "<H", 0x1)  # general-purpose flag: encrypted
    with pytest.raises(UntrustedFileError, match="encrypted"):
        SafeZip(z)


def test_safe_zip_refuses_what_is_not_a_zip(tmp_path: Path) -> None:
    f = tmp_path / "fake.zip"
    f.write_bytes(b"PK\x03\x04 but not really a zip")
    with pytest.raises(UntrustedFileError, match="not a readable zip"):
        SafeZip(f)


def test_bounded_lines_refuses_an_over_long_line() -> None:
    lim = Limits(max_line_chars=10)
    assert list(bounded_lines(io.StringIO("short\nlines\n"), "f", lim)) == ["short\n", "lines\n"]
    with pytest.raises(UntrustedFileError, match="longer than 10"):
        list(bounded_lines(io.StringIO("ok\n" + "x" * 11 + "\n"), "f", lim))


def test_csv_field_limit_is_reported_with_the_line_and_stops_only_that_file() -> None:
    big = "y" * (CSV_FIELD_LIMIT + 10)
    data = f'a,b\n1,2\n3,"{big}"\n5,6\n'.encode()
    report = LoadReport()
    table = open_table(text_stream(io.BytesIO(data)), "t.csv", [Column("a"), Column("b")], report)
    assert table is not None
    rows = list(table.rows)
    assert [r.get("a") for r in rows] == ["1"]
    assert report.rejected == 1
    err = report.errors[0]
    assert (err.file, err.line) == ("t.csv", 3)
    assert "field larger than field limit" in err.reason
