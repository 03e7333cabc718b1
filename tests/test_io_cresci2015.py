"""cresci-2015 Twitter user CSVs -> contract profiles, on files written like the real dumps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from spycatcher.io.cresci2015 import convert, label_from_tokens, parse_twitter_datetime
from spycatcher.io.formats import convert_to_files
from spycatcher.io.records import LoadReport, read_profiles
from spycatcher.schema import Profile

HEADER = (
    "id,name,screen_name,statuses_count,followers_count,friends_count,favourites_count,"
    "listed_count,created_at,url,lang,time_zone,location,default_profile,default_profile_image,"
    "geo_enabled,profile_image_url,profile_banner_url,profile_use_background_image,"
    "profile_background_image_url_https,profile_text_color,profile_image_url_https,"
    "profile_sidebar_border_color,profile_background_tile,profile_sidebar_fill_color,"
    "profile_background_image_url,profile_background_color,profile_link_color,utc_offset,"
    "protected,verified,description,updated,dataset"
).split(",")

NULL = object()  # the unquoted NULL the MySQL dump writes


def user(uid: str, **over: object) -> dict[str, object]:
    row: dict[str, object] = {h: None for h in HEADER}
    row.update(
        id=uid,
        name=f"User {uid}",
        screen_name=f"user{uid}",
        statuses_count="120",
        followers_count="45",
        friends_count="300",
        favourites_count="7",
        listed_count="0",
        created_at="Fri Apr 06 10:58:22 +0000 2012",
        lang="it",
        profile_image_url=f"http://a0.twimg.com/profile_images/{uid}/me_normal.png",
        profile_image_url_https=f"https://si0.twimg.com/profile_images/{uid}/me_normal.png",
        profile_banner_url=NULL,
        profile_use_background_image="1",
        profile_text_color="333333",
        profile_link_color="0084B4",
        updated="2015-02-14 10:54:49",
        dataset="E13",
    )
    row.update(over)
    return row


def write_csv(path: Path, rows: list[dict[str, object]], header: list[str] = HEADER) -> Path:
    """Quote every value, leave NULLs as empty cells, like the published files."""

    def cell(v: object) -> str:
        if v is None:
            return ""
        if v is NULL:
            return "NULL"
        return '"' + str(v).replace('"', '""') + '"'

    lines = [",".join(f'"{h}"' for h in header)]
    lines += [",".join(cell(r.get(h)) for h in header) for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def run(src: Path) -> tuple[list[Profile], LoadReport]:
    report = LoadReport()
    out = [p for p in convert(src, report) if isinstance(p, Profile)]
    return out, report


def test_a_genuine_user_maps_onto_the_contract(tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "users.csv",
        [
            user(
                "3610511",
                name="Davide Dellacasa",
                screen_name="braddd",
                url="http://braddd.tumblr.com",
                time_zone="Rome",
                location="Roma",
                geo_enabled="1",
                utc_offset="3600",
                profile_banner_url="https://si0.twimg.com/profile_banners/3610511/1357893323",
                description="Founder of a site & Movie Lover",
            )
        ],
    )
    (p,), report = run(f)
    assert report.summary() == {"read": 1, "accepted": 1, "rejected": 0}
    assert p.id == "twitter:3610511" and p.platform == "twitter"
    assert p.url == "https://twitter.com/braddd"
    assert (p.name, p.summary, p.location) == (
        "Davide Dellacasa",
        "Founder of a site & Movie Lover",
        "Roma",
    )
    assert p.headline is None
    assert p.created_at == datetime(2012, 4, 6, 10, 58, 22, tzinfo=UTC)
    assert p.counts == {
        "followers": 45,
        "following": 300,
        "posts": 120,
        "favourites": 7,
        "listed": 0,
    }
    assert p.verified is False
    assert p.photo is not None and p.photo.url == (
        "https://si0.twimg.com/profile_images/3610511/me_normal.png"
    )
    assert p.contact is not None and p.contact.websites == ["http://braddd.tumblr.com"]
    assert p.label == "genuine"
    f_ = p.features
    assert f_["screen_name"] == "braddd"
    assert f_["lang"] == "it" and f_["time_zone"] == "Rome"
    assert f_["utc_offset"] == 3600 and f_["geo_enabled"] is True
    assert f_["default_profile"] is False and f_["protected"] is False
    assert f_["profile_use_background_image"] is True
    assert f_["profile_text_color"] == "333333"  # a colour stays a string, not a number
    assert f_["has_url"] is True and f_["has_banner"] is True
    assert f_["url"] == "http://braddd.tumblr.com"
    # the label and the crawl time are not features: both would give the answer away
    assert "dataset" not in f_ and "updated" not in f_


def test_fake_followers_and_labels_from_the_dataset_column(tmp_path: Path) -> None:
    write_csv(tmp_path / "users_E13.csv", [user("1"), user("2", dataset="TFP")])
    write_csv(
        tmp_path / "fusers_INT.csv",
        [
            user("3", dataset="INT", default_profile="1", default_profile_image="1"),
            user("4", dataset="FSF"),
            user("5", dataset="TWT"),
        ],
    )
    profiles, report = run(tmp_path)
    labels = {p.id: p.label for p in profiles}
    assert labels == {
        "twitter:1": "genuine",
        "twitter:2": "genuine",
        "twitter:3": "fake",
        "twitter:4": "fake",
        "twitter:5": "fake",
    }
    egg = next(p for p in profiles if p.id == "twitter:3")
    assert egg.photo is None  # the default avatar is no photo of anyone
    assert egg.features["default_profile_image"] is True and egg.features["has_banner"] is False
    assert report.errors == []


def test_default_avatar_url_means_no_photo_even_without_the_flag(tmp_path: Path) -> None:
    url = "http://a0.twimg.com/sticky/default_profile_images/default_profile_6_normal.png"
    f = write_csv(
        tmp_path / "u.csv", [user("9", profile_image_url=url, profile_image_url_https=None)]
    )
    (p,), _ = run(f)
    assert p.photo is None


def test_text_is_cleaned_and_double_encoding_repaired(tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "u.csv",
        [
            user("1", description="PerchÃ¨ i miei ricci", location="SÃO PAULO"),
            user("2", description=" \x00\x00\x00 \x00 "),
        ],
    )
    (a, b), _ = run(f)
    assert a.summary == "Perchè i miei ricci"
    assert a.location == "SÃO PAULO"
    assert b.summary is None


def test_bad_rows_are_reported_with_line_and_field_and_the_rest_loads(tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "u.csv",
        [
            user("1"),
            user("2", followers_count="many"),
            user("3", created_at="yesterday"),
            user("1"),
            user("4", followers_count="-5"),
            user("", name="no id"),
            user("5", geo_enabled="maybe"),
            user("6", description="multi\nline\nbio"),
            user("7"),
        ],
    )
    profiles, report = run(f)
    assert [p.id for p in profiles] == ["twitter:1", "twitter:6", "twitter:7"]
    assert profiles[1].summary == "multi\nline\nbio"
    got = [(e.line, e.field) for e in report.errors]
    assert got == [
        (3, "followers_count"),
        (4, "created_at"),
        (5, "id"),
        (6, "counts.followers"),
        (7, "id"),
        (8, "geo_enabled"),
    ]
    assert all(e.file == str(f) for e in report.errors)
    assert "duplicate id, first seen at" in report.errors[2].reason
    assert report.summary() == {"read": 9, "accepted": 3, "rejected": 6}


def test_label_from_file_name_when_the_dataset_column_is_absent(tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "dataset"]
    write_csv(tmp_path / "E13.csv" / "users.csv", [user("1")], header)
    write_csv(tmp_path / "INT.csv" / "users.csv", [user("2")], header)
    # the original archives also hold tweets and follower edges: not user tables, skipped
    write_csv(
        tmp_path / "INT.csv" / "followers.csv",
        [{"source_id": "1", "target_id": "2"}],
        ["source_id", "target_id"],
    )
    profiles, report = run(tmp_path)
    assert {p.id: p.label for p in profiles} == {"twitter:1": "genuine", "twitter:2": "fake"}
    reasons = [e.reason for e in report.errors]
    assert any("labelled 'genuine' from the file name" in r for r in reasons)
    assert any("followers.csv" in e.file and "skipped" in e.reason for e in report.errors)
    assert report.rejected == 0


def test_unknown_group_is_left_unlabelled_with_a_note(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "u.csv", [user("1", dataset="XYZ"), user("2", dataset="XYZ")])
    profiles, report = run(f)
    assert [p.label for p in profiles] == [None, None]
    assert len(report.errors) == 1 and "XYZ" in report.errors[0].reason


def test_unknown_columns_are_kept_as_string_features(tmp_path: Path) -> None:
    header = [*HEADER, "crawled_at", "fancy_new_field"]
    f = write_csv(
        tmp_path / "u.csv",
        [user("1", crawled_at="2015-02-14", fancy_new_field="42")],
        header,
    )
    (p,), _ = run(f)
    assert p.features["fancy_new_field"] == "42"
    assert "crawled_at" not in p.features


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri Apr 06 10:58:22 +0000 2012", datetime(2012, 4, 6, 10, 58, 22, tzinfo=UTC)),
        ("Mon Oct 29 23:24:40 +0200 2012", datetime(2012, 10, 29, 21, 24, 40, tzinfo=UTC)),
        ("2012-04-06T10:58:22Z", datetime(2012, 4, 6, 10, 58, 22, tzinfo=UTC)),
    ],
)
def test_parse_twitter_datetime(text: str, expected: datetime) -> None:
    assert parse_twitter_datetime(text) == expected


def test_parse_twitter_datetime_rejects_nonsense() -> None:
    for bad in ["", "Fri Foo 06 10:58:22 +0000 2012", "last tuesday"]:
        with pytest.raises(ValueError):
            parse_twitter_datetime(bad)


def test_group_codes_and_names() -> None:
    assert label_from_tokens("E13") == "genuine" and label_from_tokens("tfp") == "genuine"
    assert label_from_tokens("social_spambots_1") == "fake"
    assert label_from_tokens("users_E13_genuine.csv") == "genuine"
    assert label_from_tokens("fake_and_genuine") is None
    assert label_from_tokens("interesting") is None  # "int" only as a whole token


def test_convert_to_files_round_trips_through_the_contract_reader(tmp_path: Path) -> None:
    write_csv(tmp_path / "in" / "a.csv", [user("1"), user("2", dataset="INT")])
    out = tmp_path / "out" / "twitter.jsonl.gz"
    report = LoadReport()
    summary = convert_to_files("cresci2015", tmp_path / "in", out, report)
    assert (summary.profiles, summary.events, summary.events_path) == (2, 0, None)
    assert summary.labels == {"genuine": 1, "fake": 1}
    assert str(summary).startswith(f"2 profiles (fake 1, genuine 1) to {out}; ")
    back = list(read_profiles(out))
    assert [(p.id, p.label, p.counts["followers"]) for p in back] == [
        ("twitter:1", "genuine", 45),
        ("twitter:2", "fake", 45),
    ]
    assert not (tmp_path / "out" / "twitter.events.jsonl.gz").exists()
