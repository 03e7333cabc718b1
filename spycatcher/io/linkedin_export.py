"""A member's LinkedIn data export ("Get a copy of your data"): who approached them, and how.

``SRC`` is the export as downloaded (a zip, read under :mod:`spycatcher.io.limits`, never
extracted), the unpacked folder, or one of its CSV files on its own. The files used, all optional:

* ``Profile.csv`` -- the member's own profile (for the exposure self-check);
* ``Connections.csv`` -- a few "Notes:" lines, then ``First Name, Last Name, URL, Email Address,
  Company, Position, Connected On`` (``15 Jan 2024``);
* ``Invitations.csv`` -- ``From, To, Sent At, Message, Direction, inviterProfileUrl,
  inviteeProfileUrl`` (Direction INCOMING or OUTGOING; ``Sent At`` as ``1/15/24, 3:04 PM`` or ISO);
* ``messages.csv`` -- ``CONVERSATION ID, CONVERSATION TITLE, FROM, SENDER PROFILE URL, TO,
  RECIPIENT PROFILE URLS, DATE, SUBJECT, CONTENT, FOLDER`` (``2023-06-11 15:33:58 UTC``;
  recipient URLs separated by ``;``).

Exports differ between years and accounts, so headers are matched loosely (see
:mod:`spycatcher.io.csvutil`), missing files and columns are noted in the report (line 0) and the
rest still loads, and double-encoded names (``JosÃ©``) are repaired.

Output:

* a :class:`Profile` for the member, with ``features.export_owner = true``; its id is their
  normalised profile URL when the export reveals it (their outgoing invitations, the messages they
  sent), else ``"me"``;
* a Profile for every other party, id = :func:`normalise_profile_url` of their URL
  (``linkedin.com/in/<slug>``); connections get ``headline`` "Position at Company" and one current
  ``experience`` entry. A party with no URL at all is identified by name as ``name:<name>`` (only
  when the name is not ambiguous among the connections);
* :class:`Event` s: ``connection`` (member -> connection, at Connected On), ``invitation`` (inviter
  -> invitee, the note as text, ``accepted`` unknown), ``message`` (sender -> each recipient, the
  body as text, with ``conversation`` and ``subject`` kept). Event ids are a hash of the fields
  that identify the source row, so importing the same export twice (or a later export that repeats
  the rows) yields the same ids.

Messages and invitation notes in an export were often written by the very people spycatcher looks
for. They are carried as data only: never evaluated, never used in a path or a query.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import parse_qs, unquote, urlsplit

from spycatcher.io.csvutil import Column, Row, note, open_table, text_stream
from spycatcher.io.limits import DEFAULT_LIMITS, Limits, SafeZip, UntrustedFileError, check_file
from spycatcher.io.records import LoadReport, RecordError, parse_record
from spycatcher.schema import MAX_LONG, MAX_SHORT, Event, Profile, parse_datetime

PLATFORM = "linkedin"
MEMBER_FALLBACK_ID = "me"
#: messages examined to find the member's own URL (they are a party to every one)
MEMBER_SAMPLE_ROWS = 5_000

# ------------------------------------------------------------------------------ profile URLs

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_BAD_SLUG = re.compile(r"[\s\x00-\x1f\x7f/\\?#]")


@functools.lru_cache(maxsize=1 << 16)
def normalise_profile_url(url: str | None) -> str | None:
    """The canonical form of a LinkedIn profile URL, or None when it is not one.

    ``https://uk.linkedin.com/in/Jane-Doe-12ab/?originalSubdomain=uk`` and
    ``linkedin.com/in/jane-doe-12ab`` both become ``linkedin.com/in/jane-doe-12ab``: no scheme, no
    subdomain, no query, fragment, locale suffix or trailing slash, percent-escapes decoded, lower
    case. Old public URLs keep their path (``linkedin.com/pub/jane-doe/1/23/456``) and
    ``/profile/view?id=N`` keeps its id. Company, school and other pages give None. Used to match
    profiles across exports, reports and shared intelligence, so it must be deterministic. Cached,
    because an export names the same few hundred people in thousands of rows.
    """
    if not url:
        return None
    text = url.strip()
    if not text or len(text) > 2000:
        return None
    if not _SCHEME.match(text):
        text = "https://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if host != "linkedin.com" and not host.endswith(".linkedin.com"):
        return None
    segs = [unquote(s).strip().lower() for s in parts.path.split("/") if s.strip()]
    if segs[:1] in (["mwlite"], ["m"]):  # mobile paths: /mwlite/in/<slug>
        segs = segs[1:]
    if len(segs) >= 2 and segs[0] == "in":
        slug = segs[1]
        if not slug or len(slug) > 200 or _BAD_SLUG.search(slug):
            return None
        return f"linkedin.com/in/{slug}"
    if len(segs) >= 2 and segs[0] == "pub":
        rest = segs[1:5]
        if any(_BAD_SLUG.search(s) or len(s) > 200 for s in rest):
            return None
        return "linkedin.com/pub/" + "/".join(rest)
    if segs == ["profile", "view"]:
        ids = parse_qs(parts.query).get("id", [])
        if ids and ids[0].strip().isalnum() and len(ids[0]) <= 100:
            return f"linkedin.com/profile/view?id={ids[0].strip().lower()}"
    return None


def profile_url(pid: str) -> str | None:
    """A clickable address for an id made by :func:`normalise_profile_url`."""
    return f"https://www.{pid}" if pid.startswith("linkedin.com/") else None


# ------------------------------------------------------------------------------------- dates

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for name in names
}
_TZ_SUFFIX = re.compile(r"\s*(?:UTC|GMT|Z)$", re.IGNORECASE)
_TIME = r"(?:[ ,T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?)?"
_D_MON_Y = re.compile(r"^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ ,-]+(\d{4}|\d{2})" + _TIME + "$")
_MON_D_Y = re.compile(r"^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})" + _TIME + "$")
_NUMERIC = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2}),?" + _TIME + "$")


def _year(text: str) -> int:
    y = int(text)
    return 2000 + y if len(text) == 2 else y


def _with_time(
    y: int, mo: int, d: int, hh: str | None, mi: str | None, ss: str | None, ampm: str | None
) -> datetime:
    hour = int(hh) if hh else 0
    if ampm:
        pm = ampm.lower().startswith("p")
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range for AM/PM")
        hour = hour % 12 + (12 if pm else 0)
    return datetime(y, mo, d, hour, int(mi or 0), int(ss or 0), tzinfo=UTC)


def parse_export_datetime(value: str | None) -> datetime | None:
    """A date or time as LinkedIn exports write them, as an aware UTC datetime (None when blank).

    Accepted: ISO 8601 (``2023-06-11 15:33:58 UTC``, ``2024-01-15T15:04:00Z``), ``15 Jan 2024``,
    ``Jan 15, 2024``, and US numeric ``1/15/24, 3:04 PM`` (read day-first only when the first
    number cannot be a month). Exports carry no time zone other than UTC, so none is assumed.
    Month names are matched by hand so that the process locale cannot change the result.
    """
    if value is None:
        return None
    text = " ".join(value.split())
    if not text:
        return None
    text = _TZ_SUFFIX.sub("", text) if not re.search(r"[+-]\d{2}:?\d{2}$", text) else text
    try:
        return parse_datetime(text)
    except ValueError:
        pass
    m = _D_MON_Y.match(text)
    if m and m.group(2).lower() in _MONTHS:
        return _with_time(
            _year(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)), *m.groups()[3:]
        )
    m = _MON_D_Y.match(text)
    if m and m.group(1).lower() in _MONTHS:
        return _with_time(
            int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)), *m.groups()[3:]
        )
    m = _NUMERIC.match(text)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        month, day = (a, b) if a <= 12 else (b, a)
        return _with_time(y, month, day, *m.groups()[3:])
    raise ValueError(f"not a date LinkedIn writes: {value[:40]!r}")


# ------------------------------------------------------------------------------------- files


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One CSV of the export: its file name and the columns wanted from it."""

    filename: str
    columns: tuple[Column, ...]


PROFILE = ExportFile(
    "Profile.csv",
    (
        Column("First Name", required=True),
        Column("Last Name"),
        Column("Maiden Name"),
        Column("Address"),
        Column("Birth Date", ("Date of Birth",)),
        Column("Headline"),
        Column("Summary", ("About",)),
        Column("Industry"),
        Column("Zip Code", ("Postal Code",)),
        Column("Geo Location", ("Location",)),
        Column("Twitter Handles", ("Twitter Handle",)),
        Column("Websites", ("Website",)),
        Column("Instant Messengers", ("Instant Messenger",)),
    ),
)
CONNECTIONS = ExportFile(
    "Connections.csv",
    (
        Column("First Name", required=True),
        Column("Last Name", required=True),
        Column("URL", ("Profile URL", "LinkedIn URL")),
        Column("Email Address", ("Email", "E-mail Address")),
        Column("Company", ("Organization", "Current Company")),
        Column("Position", ("Title", "Job Title")),
        Column("Connected On", ("Connected", "Connection Date", "Date Connected")),
    ),
)
INVITATIONS = ExportFile(
    "Invitations.csv",
    (
        Column("From", required=True),
        Column("To", required=True),
        Column("Sent At", ("Sent", "Sent On", "Date")),
        Column("Message", ("Note",)),
        Column("Direction"),
        Column("inviterProfileUrl", ("Inviter Profile URL", "From Profile URL", "Inviter URL")),
        Column("inviteeProfileUrl", ("Invitee Profile URL", "To Profile URL", "Invitee URL")),
    ),
)
MESSAGES = ExportFile(
    "messages.csv",
    (
        Column("CONVERSATION ID"),
        Column("CONVERSATION TITLE"),
        Column("FROM", ("Sender", "Sender Name"), required=True),
        Column("SENDER PROFILE URL", ("From Profile URL", "Sender URL")),
        Column("TO", ("Recipients", "Recipient")),
        Column(
            "RECIPIENT PROFILE URLS",
            ("Recipient Profile URL", "To Profile URLs", "Recipient URLs"),
        ),
        Column("DATE", ("Sent At", "Timestamp"), required=True),
        Column("SUBJECT"),
        Column("CONTENT", ("Body", "Message")),
        Column("FOLDER"),
        Column("IS MESSAGE DRAFT", ("Draft",), expected=False),
    ),
)
EXPORT_FILES = (PROFILE, CONNECTIONS, INVITATIONS, MESSAGES)


class ExportSource:
    """Finds and opens the export's CSV files in a zip, a folder, or a single CSV file.

    Files are found by name, case-insensitively, at the top or one folder down (the shallowest
    wins). In a zip they are read through :class:`SafeZip`; in a folder, symbolic links are not
    followed. Member and file names are only compared with the expected names, never used as paths.
    """

    def __init__(self, src: Path, limits: Limits = DEFAULT_LIMITS) -> None:
        self.src = src
        self.limits = limits
        self._zip: SafeZip | None = None
        self._files: dict[str, tuple[str, str]] = {}  # lower-case name -> (key, display name)
        if src.is_dir():
            self._scan_folder()
        elif _is_zip(src):
            self._zip = SafeZip(src, limits)
            self._index((n, n) for n in self._zip.names())
        elif src.is_file():
            self._index([(str(src), src.name)])
        else:
            raise UntrustedFileError(src, "no such file or folder")

    def _scan_folder(self) -> None:
        entries: list[tuple[str, str]] = []
        for root, dirs, files in os.walk(self.src, followlinks=False):
            depth = len(Path(root).relative_to(self.src).parts)
            if depth >= 1:
                dirs[:] = []
            for f in files:
                p = Path(root) / f
                if not p.is_symlink():
                    entries.append((str(p), str(p.relative_to(self.src))))
        self._index(entries)

    def _index(self, entries: Any) -> None:
        wanted = {f.filename.lower() for f in EXPORT_FILES}
        best: dict[str, tuple[int, str, str]] = {}
        for key, rel in entries:
            parts = rel.replace("\\", "/").split("/")
            base = parts[-1].lower()
            if base not in wanted:
                continue
            rank = (len(parts), rel)
            if base not in best or rank < best[base][:2]:
                best[base] = (len(parts), rel, key)
        for base, (_, rel, key) in best.items():
            display = f"{self.src}!{rel}" if self._zip is not None else key
            self._files[base] = (key, display)

    def display_name(self, spec: ExportFile) -> str | None:
        found = self._files.get(spec.filename.lower())
        return found[1] if found else None

    @contextmanager
    def open(self, spec: ExportFile) -> Iterator[IO[bytes]]:
        key, _ = self._files[spec.filename.lower()]
        if self._zip is not None:
            with self._zip.open_member(key) as fh:
                yield fh
        else:
            check_file(key, self.limits)
            with open(key, "rb") as fh:
                yield fh

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> ExportSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_zip(path: Path) -> bool:
    if not path.is_file():
        return False
    with open(path, "rb") as fh:
        return fh.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


def iter_rows(source: ExportSource, spec: ExportFile, report: LoadReport) -> Iterator[Row]:
    """The rows of one export file; nothing (with a note) when it is absent, unusable or refused."""
    display = source.display_name(spec)
    if display is None:
        return
    try:
        with source.open(spec) as binary, text_stream(binary) as text:
            table = open_table(text, display, spec.columns, report, limits=source.limits)
            if table is not None:
                yield from table.rows
    except UntrustedFileError as exc:
        note(report, display, "", f"file refused: {exc.reason}")


# ----------------------------------------------------------------------------------- parties


def _name_key(name: str | None) -> str | None:
    if not name:
        return None
    key = " ".join(name.casefold().split())
    return key or None


#: names LinkedIn shows for accounts it will not name; never used to identify anyone
_ANONYMOUS = frozenset({"linkedin member", "linkedin user", "unknown"})


@dataclass(slots=True)
class _Party:
    id: str
    name: str | None = None
    headline: str | None = None
    experience: list[dict[str, Any]] = field(default_factory=list)
    email: str | None = None
    is_connection: bool = False

    def merge_name(self, name: str | None) -> None:
        if name and not self.name and _name_key(name) not in _ANONYMOUS:
            self.name = name[:MAX_SHORT]


def _join_name(*parts: str | None) -> str | None:
    text = " ".join(p for p in parts if p)
    return text[:MAX_SHORT] or None


def _split_list(text: str | None, seps: str = ";") -> list[str]:
    if not text:
        return []
    for sep in seps[1:]:
        text = text.replace(sep, seps[0])
    return [p.strip() for p in text.split(seps[0]) if p.strip()]


def _websites(text: str | None) -> list[str]:
    """``[PERSONAL:https://a.example],[COMPANY:b.example]`` or a plain list -> the addresses."""
    out = []
    for part in _split_list(text, ",;"):
        part = part.strip("[] ")
        m = re.match(r"^[A-Z_ ]{2,20}:(.+)$", part)
        if m:
            part = m.group(1).strip()
        if part:
            out.append(part[:MAX_SHORT])
    return out[:50]


def _event_id(kind: str, *parts: str | None) -> str:
    """A stable id from the fields that identify a source row (idempotent re-imports)."""
    h = hashlib.sha256(kind.encode())
    for p in parts:
        h.update(b"\x1f")
        h.update((p or "").encode("utf-8", "surrogatepass"))
    return f"linkedin-export:{kind}:{h.hexdigest()[:32]}"


# --------------------------------------------------------------------------------- converter


class _ExportConverter:
    def __init__(self, source: ExportSource, report: LoadReport) -> None:
        self.source = source
        self.report = report
        self.member_id = MEMBER_FALLBACK_ID
        self.member_name: str | None = None
        self.member_data: dict[str, Any] = {}
        self.parties: dict[str, _Party] = {}
        self.name_index: dict[str, str | None] = {}  # name key -> id (None when ambiguous)
        self.seen_events: set[str] = set()
        self.connections = 0

    # -- identity ------------------------------------------------------------------------

    def resolve(self, url: str | None, name: str | None) -> str | None:
        """A party's profile id: their normalised URL, else by name (member, connection, name:)."""
        if url:
            pid = normalise_profile_url(url)
            if pid:
                return pid
        key = _name_key(name)
        if key is None or key in _ANONYMOUS:
            return None
        if self.member_name and key == _name_key(self.member_name):
            return self.member_id
        if key in self.name_index:
            return self.name_index[key] or None
        return f"name:{key}"[:MAX_SHORT]

    def party(self, pid: str, name: str | None = None) -> _Party | None:
        if pid == self.member_id:
            return None
        p = self.parties.get(pid)
        if p is None:
            p = self.parties[pid] = _Party(pid)
        p.merge_name(name)
        return p

    def find_member(self) -> None:
        """Learn the member's name (Profile.csv) and URL (their side of invitations, messages)."""
        scratch = LoadReport()
        for row in iter_rows(self.source, PROFILE, self.report):
            self.member_name = _join_name(row.get("First Name"), row.get("Last Name"))
            self.member_data = dict(row.values)
            self.report.accepted += 1
            break
        votes: Counter[str] = Counter()
        for row in iter_rows(self.source, INVITATIONS, scratch):
            direction = (row.get("Direction") or "").strip().upper()
            mine = {"OUTGOING": "inviterProfileUrl", "INCOMING": "inviteeProfileUrl"}.get(direction)
            if mine:
                pid = normalise_profile_url(row.get(mine))
                if pid:
                    votes[pid] += 1
        # In messages the member is a party to every row: the URL present in the most rows, when
        # it is in most of them, is theirs; a sender with the member's own name counts double.
        seen_in: Counter[str] = Counter()
        rows_with_urls = 0
        member_key = _name_key(self.member_name)
        for n_rows, row in enumerate(iter_rows(self.source, MESSAGES, scratch)):
            if n_rows >= MEMBER_SAMPLE_ROWS:
                break
            sender = normalise_profile_url(row.get("SENDER PROFILE URL"))
            urls = {sender} if sender else set()
            urls |= {
                u
                for u in map(normalise_profile_url, _split_list(row.get("RECIPIENT PROFILE URLS")))
                if u
            }
            if urls:
                rows_with_urls += 1
                seen_in.update(urls)
            if sender and member_key and _name_key(row.get("FROM")) == member_key:
                votes[sender] += 2
        if seen_in:
            (top, n), *rest = seen_in.most_common(2) + [("", 0)]
            if n > rows_with_urls / 2 and n > rest[0][1]:
                votes[top] += 1
        if votes:
            self.member_id = votes.most_common(1)[0][0]

    # -- rows ---------------------------------------------------------------------------

    def emit_event(self, data: dict[str, Any], file: str, line: int) -> Event | None:
        if data["id"] in self.seen_events:
            return None
        ev, err = parse_record(Event, data, file, line)
        if err is not None:
            self.report.add_error(err)
            return None
        self.seen_events.add(data["id"])
        return ev

    def _at(self, row: Row, column: str, file: str) -> datetime | RecordError:
        raw = row.get(column)
        try:
            at = parse_export_datetime(raw)
        except ValueError as exc:
            return RecordError(file, row.line, column, str(exc))
        if at is None:
            return RecordError(file, row.line, column, "no date")
        return at

    def connections_rows(self) -> Iterator[Event]:
        file = self.source.display_name(CONNECTIONS) or ""
        for row in iter_rows(self.source, CONNECTIONS, self.report):
            name = _join_name(row.get("First Name"), row.get("Last Name"))
            pid = self.resolve(row.get("URL"), name)
            if pid is None or pid == self.member_id:
                why = "no profile URL and no usable name" if pid is None else "is the member"
                self.report.add_error(RecordError(file, row.line, "URL", why))
                continue
            key = _name_key(name)
            if key:
                self.name_index[key] = pid if self.name_index.get(key, pid) == pid else None
            p = self.party(pid, name)
            assert p is not None
            p.is_connection = True
            self.connections += 1
            title, company = row.get("Position"), row.get("Company")
            if title or company:
                p.headline = p.headline or _join_headline(title, company)
                job = {"title": title, "company": company, "end": None}
                if job not in p.experience:
                    p.experience.append(job)
            if row.get("Email Address") and not p.email:
                p.email = row.get("Email Address")
            at = self._at(row, "Connected On", file)
            if isinstance(at, RecordError):
                self.report.add_error(
                    RecordError(
                        file, row.line, at.field, f"{at.reason}; person kept, no connection event"
                    )
                )
                continue
            self.report.accepted += 1
            ev = self.emit_event(
                {
                    "id": _event_id("connection", self.member_id, pid, row.get("Connected On")),
                    "type": "connection",
                    "actor": self.member_id,
                    "target": pid,
                    "at": at,
                },
                file,
                row.line,
            )
            if ev is not None:
                yield ev

    def invitation_rows(self) -> Iterator[Event]:
        file = self.source.display_name(INVITATIONS) or ""
        for row in iter_rows(self.source, INVITATIONS, self.report):
            direction = (row.get("Direction") or "").strip().upper()
            inviter = self.resolve(row.get("inviterProfileUrl"), row.get("From"))
            invitee = self.resolve(row.get("inviteeProfileUrl"), row.get("To"))
            if direction == "INCOMING":
                invitee = self.member_id
            elif direction == "OUTGOING":
                inviter = self.member_id
            if inviter is None or invitee is None:
                col = "From" if inviter is None else "To"
                self.report.add_error(
                    RecordError(file, row.line, col, "no profile URL and no usable name")
                )
                continue
            if inviter == invitee:
                self.report.add_error(
                    RecordError(file, row.line, "To", "inviter and invitee are the same profile")
                )
                continue
            at = self._at(row, "Sent At", file)
            if isinstance(at, RecordError):
                self.report.add_error(at)
                continue
            self.party(inviter, row.get("From"))
            self.party(invitee, row.get("To"))
            text = row.get("Message")
            data = {
                "id": _event_id("invitation", inviter, invitee, row.get("Sent At"), text),
                "type": "invitation",
                "actor": inviter,
                "target": invitee,
                "at": at,
                "text": text[:MAX_LONG] if text else None,
                "accepted": None,
            }
            ev = self.emit_event(data, file, row.line)
            self.report.accepted += 1
            if ev is not None:
                yield ev

    def _recipients(self, row: Row) -> list[tuple[str | None, str | None]]:
        urls = _split_list(row.get("RECIPIENT PROFILE URLS"))
        to = row.get("TO")
        if not urls:
            return [(None, n) for n in _split_list(to)]
        for seps in (";", ","):
            names = _split_list(to, seps)
            if len(names) == len(urls):
                return list(zip(urls, names, strict=True))
        if len(urls) == 1:
            return [(urls[0], to)]
        return [(u, None) for u in urls]

    def message_rows(self) -> Iterator[Event]:
        file = self.source.display_name(MESSAGES) or ""
        for row in iter_rows(self.source, MESSAGES, self.report):
            if (row.get("IS MESSAGE DRAFT") or "").strip().lower() in {"yes", "true", "1"}:
                continue  # never sent: not something anyone did to anyone
            sender = self.resolve(row.get("SENDER PROFILE URL"), row.get("FROM"))
            if sender is None:
                self.report.add_error(
                    RecordError(file, row.line, "FROM", "no profile URL and no usable name")
                )
                continue
            at = self._at(row, "DATE", file)
            if isinstance(at, RecordError):
                self.report.add_error(at)
                continue
            self.party(sender, row.get("FROM"))
            targets: list[str] = []
            for url, name in self._recipients(row):
                pid = self.resolve(url, name)
                if pid is not None and pid != sender and pid not in targets:
                    self.party(pid, name)
                    targets.append(pid)
            if not targets and sender != self.member_id:
                targets = [self.member_id]  # the export is the member's: they received it
            if not targets:
                self.report.add_error(
                    RecordError(file, row.line, "RECIPIENT PROFILE URLS", "no recipient")
                )
                continue
            self.report.accepted += 1
            content = row.get("CONTENT")
            subject = row.get("SUBJECT")
            conversation = row.get("CONVERSATION ID")
            for target in targets:
                data: dict[str, Any] = {
                    "id": _event_id(
                        "message", conversation, sender, target, row.get("DATE"), subject, content
                    ),
                    "type": "message",
                    "actor": sender,
                    "target": target,
                    "at": at,
                    "text": content[:MAX_LONG] if content else None,
                }
                if content and len(content) > MAX_LONG:
                    data["text_truncated"] = True
                if conversation:
                    data["conversation"] = conversation[:MAX_SHORT]
                if subject:
                    data["subject"] = subject[:MAX_SHORT]
                ev = self.emit_event(data, file, row.line)
                if ev is not None:
                    yield ev

    # -- profiles -----------------------------------------------------------------------

    def member_profile(self) -> Profile | None:
        d = self.member_data
        websites = _websites(d.get("Websites"))
        features: dict[str, Any] = {"export_owner": True}
        # Presence, not content: the exposure check needs to know that an address or a birth
        # date is on the profile, and the output need not carry the member's personal data.
        for column, feature in (
            ("Address", "has_address"),
            ("Birth Date", "has_birth_date"),
            ("Zip Code", "has_zip_code"),
            ("Instant Messengers", "has_instant_messengers"),
            ("Maiden Name", "has_maiden_name"),
        ):
            if d:
                features[feature] = bool(d.get(column))
        if d.get("Twitter Handles"):
            features["twitter_handles"] = d["Twitter Handles"][:MAX_SHORT]
        data = {
            "id": self.member_id,
            "platform": PLATFORM,
            "url": profile_url(self.member_id),
            "name": self.member_name,
            "headline": d.get("Headline"),
            "summary": d.get("Summary"),
            "industry": d.get("Industry"),
            "location": d.get("Geo Location"),
            "counts": {"connections": self.connections} if self.connections else {},
            "contact": {"websites": websites} if websites else None,
            "features": features,
        }
        file = self.source.display_name(PROFILE) or str(self.source.src)
        prof, err = parse_record(Profile, data, file, 0)
        if err is not None:
            self.report.add_error(err)
        return prof

    def party_profiles(self) -> Iterator[Profile]:
        file = str(self.source.src)
        for p in self.parties.values():
            data = {
                "id": p.id,
                "platform": PLATFORM,
                "url": profile_url(p.id),
                "name": p.name,
                "headline": p.headline,
                "experience": p.experience,
                "contact": {"email": p.email} if p.email else None,
                "features": {"is_connection": p.is_connection},
            }
            prof, err = parse_record(Profile, data, file, 0)
            if err is not None:
                self.report.add_error(RecordError(file, 0, f"{p.id}: {err.field}", err.reason))
                continue
            assert prof is not None
            yield prof

    def run(self) -> Iterator[Profile | Event]:
        for spec in EXPORT_FILES:
            if self.source.display_name(spec) is None:
                note(
                    self.report,
                    str(self.source.src),
                    spec.filename,
                    f"{spec.filename} not found in the export; skipped",
                )
        self.find_member()
        yield from self.connections_rows()
        yield from self.invitation_rows()
        yield from self.message_rows()
        member = self.member_profile()
        if member is not None:
            yield member
        yield from self.party_profiles()


def _join_headline(title: str | None, company: str | None) -> str | None:
    if title and company:
        return f"{title} at {company}"[:MAX_SHORT]
    return (title or company or "")[:MAX_SHORT] or None


def convert(
    src: Path, report: LoadReport, *, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Profile | Event]:
    """Stream the events, then the profiles, of a LinkedIn data export (see the module doc)."""
    with ExportSource(Path(src), limits) as source:
        yield from _ExportConverter(source, report).run()


__all__: Sequence[str] = (
    "CONNECTIONS",
    "EXPORT_FILES",
    "INVITATIONS",
    "MESSAGES",
    "PROFILE",
    "ExportSource",
    "convert",
    "normalise_profile_url",
    "parse_export_datetime",
    "profile_url",
)
