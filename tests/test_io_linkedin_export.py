"""A member's LinkedIn data export -> profiles and events, from a folder, a zip or one CSV."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spycatcher.io.formats import convert_to_files
from spycatcher.io.limits import UntrustedFileError
from spycatcher.io.linkedin_export import convert, normalise_profile_url, parse_export_datetime
from spycatcher.io.records import LoadReport, read_events, read_profiles
from spycatcher.schema import Event, Profile

ME = "https://www.linkedin.com/in/jane-doe-123"
RACHEL = "https://www.linkedin.com/in/rachel-li-risehr"
JOSE = "https://www.linkedin.com/in/jose-garcia"
ALEX = "https://www.linkedin.com/in/alex-li-csed/"
SAM = "https://uk.linkedin.com/in/Sam-Smith?trk=people"

CONNECTIONS = f"""Notes:
"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download their email address using this setting https://www.linkedin.com/psettings/privacy/email. You can learn more here https://www.linkedin.com/help/linkedin/answer/261"

First Name,Last Name,URL,Email Address,Company,Position,Connected On
Rachel,Li,{RACHEL},,RiseHR,Senior Headhunter,15 Jan 2024
JosÃ©,GarcÃ­a,{JOSE},jose@example.org,Ministry of Defence,Analyst,03 Feb 2023
"""  # noqa: E501 - the notes line is one long line in real exports

INVITATIONS = f"""From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl
Alex Li,Jane Doe,"1/15/24, 3:04 PM","Dear Jane, our think tank would value your expertise. All expenses paid trip to Beijing!",INCOMING,{ALEX},{ME}
Jane Doe,Sam Smith,2024-02-01T10:00:00Z,,OUTGOING,{ME},{SAM}
"""  # noqa: E501

MESSAGES = f"""CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER
2-abc==,,Rachel Li,{RACHEL},Jane Doe,{ME},2023-06-11 15:33:58 UTC,Opportunity,"Hello Jane,
a well-paid part-time role; reply on WhatsApp. $(rm -rf /) '; DROP TABLE profiles; --",INBOX
2-abc==,,Jane Doe,{ME},Rachel Li,{RACHEL},2023-06-11 16:00:00 UTC,,Thanks,INBOX
2-grp==,Group,JosÃ© GarcÃ­a,{JOSE},Jane Doe;Rachel Li,{ME};{RACHEL},2023-07-01 09:00:00 UTC,,Hi both,INBOX
"""  # noqa: E501

PROFILE = """First Name,Last Name,Maiden Name,Address,Birth Date,Headline,Summary,Industry,Zip Code,Geo Location,Twitter Handles,Websites,Instant Messengers
Jane,Doe,,"1 High St, London","Jan 1, 1980",Policy adviser,Works on defence policy,Government Administration,SW1A 1AA,"London, England, United Kingdom",[janedoe],"[PERSONAL:https://jane.example],[COMPANY:https://gov.example]",
"""  # noqa: E501

FILES = {
    "Connections.csv": CONNECTIONS,
    "Invitations.csv": INVITATIONS,
    "messages.csv": MESSAGES,
    "Profile.csv": PROFILE,
}


def export_folder(root: Path, files: dict[str, str] = FILES) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def export_zip(path: Path, files: dict[str, str] = FILES) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text.encode("utf-8"))
    return path


def run(src: Path) -> tuple[dict[str, Profile], list[Event], LoadReport]:
    report = LoadReport()
    profiles: dict[str, Profile] = {}
    events: list[Event] = []
    for rec in convert(src, report):
        if isinstance(rec, Profile):
            assert rec.id not in profiles, f"profile {rec.id} emitted twice"
            profiles[rec.id] = rec
        else:
            events.append(rec)
    return profiles, events, report


def test_full_export_gives_people_and_what_they_did(tmp_path: Path) -> None:
    profiles, events, report = run(export_folder(tmp_path / "export"))
    assert report.rejected == 0, report.errors
    me = "linkedin.com/in/jane-doe-123"
    assert set(profiles) == {
        me,
        "linkedin.com/in/rachel-li-risehr",
        "linkedin.com/in/jose-garcia",
        "linkedin.com/in/alex-li-csed",
        "linkedin.com/in/sam-smith",
    }
    member = profiles[me]
    assert member.features["export_owner"] is True
    assert (member.name, member.headline, member.industry) == (
        "Jane Doe",
        "Policy adviser",
        "Government Administration",
    )
    assert member.location == "London, England, United Kingdom"
    assert member.url == "https://www.linkedin.com/in/jane-doe-123"
    assert member.counts == {"connections": 2}
    assert member.contact is not None
    assert member.contact.websites == ["https://jane.example", "https://gov.example"]
    # presence of personal details, not the details themselves
    assert member.features["has_address"] is True and member.features["has_birth_date"] is True
    assert member.features["has_maiden_name"] is False
    assert "1 High St" not in member.model_dump_json()

    rachel = profiles["linkedin.com/in/rachel-li-risehr"]
    assert rachel.name == "Rachel Li"
    assert rachel.headline == "Senior Headhunter at RiseHR"
    assert [(e.title, e.company, e.end) for e in rachel.experience] == [
        ("Senior Headhunter", "RiseHR", None)
    ]
    assert rachel.features["is_connection"] is True
    jose = profiles["linkedin.com/in/jose-garcia"]
    assert jose.name == "José García"  # double-encoded in the export, repaired
    assert jose.contact is not None and jose.contact.email == "jose@example.org"
    assert profiles["linkedin.com/in/alex-li-csed"].features["is_connection"] is False

    by_type: dict[str, list[Event]] = {}
    for e in events:
        by_type.setdefault(e.type, []).append(e)
    assert {k: len(v) for k, v in by_type.items()} == {
        "connection": 2,
        "invitation": 2,
        "message": 4,
    }
    conn = by_type["connection"][0]
    assert (conn.actor, conn.target) == (me, "linkedin.com/in/rachel-li-risehr")
    assert conn.at == datetime(2024, 1, 15, tzinfo=UTC)

    incoming, outgoing = by_type["invitation"]
    assert (incoming.actor, incoming.target) == ("linkedin.com/in/alex-li-csed", me)
    assert incoming.at == datetime(2024, 1, 15, 15, 4, tzinfo=UTC)
    assert incoming.text is not None and "All expenses paid trip" in incoming.text
    assert incoming.accepted is None
    assert (outgoing.actor, outgoing.target) == (me, "linkedin.com/in/sam-smith")
    assert outgoing.text is None

    first, reply, *group = by_type["message"]
    assert (first.actor, first.target) == ("linkedin.com/in/rachel-li-risehr", me)
    assert first.at == datetime(2023, 6, 11, 15, 33, 58, tzinfo=UTC)
    # attacker-written text is carried verbatim, as data
    assert first.text == (
        "Hello Jane,\na well-paid part-time role; reply on WhatsApp. "
        "$(rm -rf /) '; DROP TABLE profiles; --"
    )
    extra = first.model_extra or {}
    assert extra["conversation"] == "2-abc==" and extra["subject"] == "Opportunity"
    assert (reply.actor, reply.target) == (me, "linkedin.com/in/rachel-li-risehr")
    assert [(g.actor, g.target) for g in group] == [
        ("linkedin.com/in/jose-garcia", me),
        ("linkedin.com/in/jose-garcia", "linkedin.com/in/rachel-li-risehr"),
    ]
    assert len({e.id for e in events}) == len(events)
    # nothing missing: no notes
    assert report.errors == []


def test_zip_and_folder_give_the_same_records_and_ids(tmp_path: Path) -> None:
    p1, e1, _ = run(export_folder(tmp_path / "folder"))
    p2, e2, r2 = run(export_zip(tmp_path / "Basic_LinkedInDataExport.zip"))
    assert r2.rejected == 0
    assert [e.model_dump() for e in e1] == [e.model_dump() for e in e2]
    assert {k: v.model_dump() for k, v in p1.items()} == {k: v.model_dump() for k, v in p2.items()}


def test_re_import_is_idempotent_and_ids_survive_column_changes(tmp_path: Path) -> None:
    _, first, _ = run(export_folder(tmp_path / "a"))
    _, again, _ = run(export_folder(tmp_path / "a"))
    assert [e.id for e in first] == [e.id for e in again]
    # a later export writes headers in another case and order, with an extra column
    lines = CONNECTIONS.splitlines()
    lines[3] = "first name,LAST NAME,Connected On,url,Company,Position,Email Address,New Column"
    lines[4] = f"Rachel,Li,15 Jan 2024,{RACHEL},RiseHR,Senior Headhunter,,x"
    lines[5] = f"JosÃ©,GarcÃ­a,03 Feb 2023,{JOSE},Ministry of Defence,Analyst,jose@example.org,y"
    later = dict(FILES, **{"Connections.csv": "\n".join(lines) + "\n"})
    profiles, reordered, report = run(export_folder(tmp_path / "b", later))
    assert report.rejected == 0
    assert [e.id for e in reordered] == [e.id for e in first]
    assert profiles["linkedin.com/in/jose-garcia"].headline == "Analyst at Ministry of Defence"


def test_missing_files_and_columns_are_named_and_the_rest_loads(tmp_path: Path) -> None:
    old_invitations = (
        'From,To,Sent At,Message,Direction\nAlex Li,Jane Doe,"1/15/24, 3:04 PM",Hi,INCOMING\n'
    )
    folder = export_folder(
        tmp_path / "e", {"Invitations.csv": old_invitations, "Connections.csv": CONNECTIONS}
    )
    profiles, events, report = run(folder)
    notes = {(Path(e.file).name, e.field) for e in report.errors if e.line == 0}
    assert ("e", "Profile.csv") in notes and ("e", "messages.csv") in notes
    assert ("Invitations.csv", "inviterProfileUrl") in notes
    assert ("Invitations.csv", "inviteeProfileUrl") in notes
    assert any("Profile.csv not found" in e.reason for e in report.errors)
    assert report.rejected == 0
    # no URL anywhere says who the member is: "me"; Alex is known only by name
    assert "me" in profiles and profiles["me"].features["export_owner"] is True
    inv = next(e for e in events if e.type == "invitation")
    assert (inv.actor, inv.target) == ("name:alex li", "me")
    assert profiles["name:alex li"].name == "Alex Li"


def test_a_name_without_url_resolves_to_the_matching_connection(tmp_path: Path) -> None:
    invitations = "From,To,Sent At,Message,Direction\nJane Doe,Rachel Li,2024-01-02,,OUTGOING\n"
    folder = export_folder(
        tmp_path / "e",
        {"Connections.csv": CONNECTIONS, "Invitations.csv": invitations, "Profile.csv": PROFILE},
    )
    _, events, _ = run(folder)
    inv = next(e for e in events if e.type == "invitation")
    assert (inv.actor, inv.target) == ("me", "linkedin.com/in/rachel-li-risehr")


def test_bad_rows_are_reported_with_file_line_and_field(tmp_path: Path) -> None:
    connections = CONNECTIONS + "Bad,Date,https://www.linkedin.com/in/bad-date,,X,Y,someday\n"
    connections += ",,,,,,01 Jan 2020\n"
    messages = MESSAGES + "3-x==,,LinkedIn Member,,Jane Doe,,2023-01-01 10:00:00 UTC,,hi,INBOX\n"
    messages += f"3-y==,,Rachel Li,{RACHEL},Jane Doe,{ME},not a date,,hi,INBOX\n"
    folder = export_folder(
        tmp_path / "e", dict(FILES, **{"Connections.csv": connections, "messages.csv": messages})
    )
    profiles, events, report = run(folder)
    got = {(Path(e.file).name, e.line, e.field) for e in report.errors}
    assert got == {
        ("Connections.csv", 7, "Connected On"),
        ("Connections.csv", 8, "URL"),
        ("messages.csv", 6, "FROM"),
        ("messages.csv", 7, "DATE"),
    }
    # the person with a bad date is kept, only the connection event is not
    assert "linkedin.com/in/bad-date" in profiles
    assert sum(e.type == "message" for e in events) == 4


def test_a_single_csv_file_is_accepted(tmp_path: Path) -> None:
    f = tmp_path / "messages.csv"
    f.write_text(MESSAGES, encoding="utf-8")
    profiles, events, _ = run(f)
    assert len(events) == 4
    # Jane and Rachel are both in every message: no telling who exported them
    assert profiles["me"].features["export_owner"] is True
    assert "export_owner" not in profiles["linkedin.com/in/jane-doe-123"].features

    more = MESSAGES + f"4-z==,,Sam Smith,{SAM},Jane Doe,{ME},2023-08-01 09:00:00 UTC,,Hello,INBOX\n"
    f.write_text(more, encoding="utf-8")
    profiles, events, _ = run(f)
    # now only Jane is a party to every message: she is the member
    assert "me" not in profiles
    assert profiles["linkedin.com/in/jane-doe-123"].features["export_owner"] is True
    assert events[-1].target == "linkedin.com/in/jane-doe-123"


def test_drafts_are_not_messages(tmp_path: Path) -> None:
    messages = (
        "CONVERSATION ID,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,CONTENT,"
        "IS MESSAGE DRAFT\n"
        f"1,Jane Doe,{ME},Rachel Li,{RACHEL},2023-01-01 10:00:00 UTC,draft,Yes\n"
        f"1,Jane Doe,{ME},Rachel Li,{RACHEL},2023-01-01 10:05:00 UTC,sent,No\n"
    )
    _, events, _ = run(export_folder(tmp_path / "e", {"messages.csv": messages}))
    assert [e.text for e in events] == ["sent"]


def test_hostile_zip_is_refused(tmp_path: Path) -> None:
    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("Connections.csv", CONNECTIONS)
        zf.writestr("../../../etc/cron.d/evil", "* * * * * root sh")
    with pytest.raises(UntrustedFileError, match="climbs out"):
        run(z)


def test_convert_to_files_writes_profiles_and_events_beside_them(tmp_path: Path) -> None:
    out = tmp_path / "out" / "jane.jsonl"
    report = LoadReport()
    summary = convert_to_files("linkedin-export", export_zip(tmp_path / "x.zip"), out, report)
    assert summary.events_path == tmp_path / "out" / "jane.events.jsonl"
    assert (summary.profiles, summary.events) == (5, 8)
    assert summary.event_types == {"connection": 2, "invitation": 2, "message": 4}
    assert summary.labels == {"unlabelled": 5}
    assert "8 events (connection 2, invitation 2, message 4)" in str(summary)
    assert len(list(read_profiles(out))) == 5
    back = list(read_events(summary.events_path))
    assert len(back) == 8 and all(e.id and e.id.startswith("linkedin-export:") for e in back)
    assert json.loads(summary.events_path.read_text().splitlines()[0])["type"] == "connection"
    assert not list((tmp_path / "out").glob(".*tmp"))


def test_convert_to_files_gzip_and_unknown_format(tmp_path: Path) -> None:
    out = tmp_path / "jane.jsonl.gz"
    summary = convert_to_files("linkedin-export", export_folder(tmp_path / "e"), out, LoadReport())
    assert summary.events_path == tmp_path / "jane.events.jsonl.gz"
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    assert len(list(read_events(summary.events_path))) == 8
    with pytest.raises(ValueError, match="known formats: cresci2015, instafake, linkedin-export"):
        convert_to_files("myspace", tmp_path, out, LoadReport())
    with pytest.raises(FileNotFoundError):
        convert_to_files("linkedin-export", tmp_path / "nope", out, LoadReport())


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.linkedin.com/in/jane-doe-123", "linkedin.com/in/jane-doe-123"),
        ("https://www.linkedin.com/in/Jane-Doe-123/", "linkedin.com/in/jane-doe-123"),
        ("http://uk.linkedin.com/in/jane-doe-123?trk=x#top", "linkedin.com/in/jane-doe-123"),
        ("linkedin.com/in/jane-doe-123", "linkedin.com/in/jane-doe-123"),
        ("www.linkedin.com/in/jane-doe-123/de", "linkedin.com/in/jane-doe-123"),
        ("https://www.linkedin.com/in/jos%C3%A9-garc%C3%ADa", "linkedin.com/in/josé-garcía"),
        ("https://www.linkedin.com/mwlite/in/jane-doe-123", "linkedin.com/in/jane-doe-123"),
        ("https://www.linkedin.com/in/ACoAAB12xyz", "linkedin.com/in/acoaab12xyz"),
        ("  https://WWW.LINKEDIN.COM/in/x  ", "linkedin.com/in/x"),
        ("https://www.linkedin.com/pub/jane-doe/1/23/456", "linkedin.com/pub/jane-doe/1/23/456"),
        (
            "https://www.linkedin.com/profile/view?id=12345&trk=t",
            "linkedin.com/profile/view?id=12345",
        ),
        ("https://www.linkedin.com/company/risehr", None),
        ("https://linkedin.com.evil.example/in/jane", None),
        ("https://evil-linkedin.com/in/jane", None),
        ("https://www.linkedin.com/in/", None),
        ("https://www.linkedin.com/in/a%2Fb", None),
        ("not a url", None),
        ("", None),
        (None, None),
    ],
)
def test_normalise_profile_url(url: str | None, expected: str | None) -> None:
    assert normalise_profile_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-06-11 15:33:58 UTC", datetime(2023, 6, 11, 15, 33, 58, tzinfo=UTC)),
        ("2024-01-15T15:04:00Z", datetime(2024, 1, 15, 15, 4, tzinfo=UTC)),
        ("2024-01-15T17:04:00+02:00", datetime(2024, 1, 15, 15, 4, tzinfo=UTC)),
        ("15 Jan 2024", datetime(2024, 1, 15, tzinfo=UTC)),
        ("3 September 2021", datetime(2021, 9, 3, tzinfo=UTC)),
        ("Jan 15, 2024", datetime(2024, 1, 15, tzinfo=UTC)),
        ("1/15/24, 3:04 PM", datetime(2024, 1, 15, 15, 4, tzinfo=UTC)),
        ("1/15/24, 12:30 AM", datetime(2024, 1, 15, 0, 30, tzinfo=UTC)),
        ("12/1/2023 9:05", datetime(2023, 12, 1, 9, 5, tzinfo=UTC)),
        ("25/12/2023", datetime(2023, 12, 25, tzinfo=UTC)),
        ("2024-01-15", datetime(2024, 1, 15, tzinfo=UTC)),
    ],
)
def test_parse_export_datetime(text: str, expected: datetime) -> None:
    assert parse_export_datetime(text) == expected


@pytest.mark.parametrize("text", ["someday", "15 Foo 2024", "13/13/2023", "1/15/24, 13:00 PM"])
def test_parse_export_datetime_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_export_datetime(text)
