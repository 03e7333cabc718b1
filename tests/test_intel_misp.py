"""MISP in and out through PyMISP's offline model: a handmade event with account objects and an
image attachment imports and matches; the impersonated victim is never matched; export and
re-import round-trips with markings, and TLP:RED stays home."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from intel_fixtures import AMBER, RED
from PIL import Image

from spycatcher.intel.catalogue import load_indicators
from spycatcher.intel.matching import IntelIndex, ProfileFacts
from spycatcher.intel.misp import build_event, export_misp_json, import_misp, import_misp_file
from spycatcher.intel.stix_export import CampaignFinding, Finding
from spycatcher.io.limits import UntrustedFileError
from spycatcher.photo.load import decode_image
from spycatcher.photo.pdq import hash_image
from spycatcher.schema import Profile
from spycatcher.store import Store

NOW = datetime(2024, 6, 1, tzinfo=UTC)


def portrait_png() -> bytes:
    """A photo-like image with enough structure for a reliable PDQ hash."""
    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:128, 0:128]
    base = (np.sin(x / 9.0) * 60 + np.cos(y / 13.0) * 60 + 128).astype(np.int16)
    noise = rng.integers(-20, 20, size=(128, 128))
    grey = np.clip(base + noise, 0, 255).astype(np.uint8)
    rgb = np.stack([grey, np.roll(grey, 7, axis=1), np.roll(grey, 5, axis=0)], axis=2)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def attr(rel: str, mtype: str, value: str, **kw: object) -> dict:
    return {"object_relation": rel, "type": mtype, "value": value, "timestamp": "1709251200", **kw}


def misp_event() -> dict:
    png = portrait_png()
    return {
        "Event": {
            "uuid": "7c1f7f0e-6a39-4b43-9d8b-0b9a1a2b3c01",
            "info": "Fake recruiter personas approaching defence engineers",
            "date": "2024-03-01",
            "timestamp": "1709251200",
            "Orgc": {"name": "Partner CERT", "uuid": "2a5b7c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d"},
            "Tag": [{"name": "tlp:amber"}, {"name": 'misp-galaxy:threat-actor="Example Actor"'}],
            "Object": [
                {
                    "name": "impersonation",
                    "uuid": "7c1f7f0e-6a39-4b43-9d8b-0b9a1a2b3c02",
                    "timestamp": "1709251200",
                    "Attribute": [
                        attr("account-name", "text", "Rachel Li"),
                        attr("account-url", "url", "https://www.linkedin.com/in/rachel-li-hr"),
                        attr(
                            "impersonated-account-url",
                            "link",
                            "https://www.linkedin.com/in/real-person",
                        ),
                        attr("impersonated-account-name", "text", "Real Person"),
                        attr("type", "text", "LinkedIn"),
                    ],
                },
                {
                    "name": "person",
                    "uuid": "7c1f7f0e-6a39-4b43-9d8b-0b9a1a2b3c03",
                    "timestamp": "1709251200",
                    "Attribute": [
                        attr("full-name", "full-name", "Lily Wu"),
                        attr("handle", "text", "lily-wu-88"),
                        attr("e-mail", "email-src", "lily.wu@sino-europe-studies.example"),
                    ],
                },
                {
                    "name": "user-account",
                    "uuid": "7c1f7f0e-6a39-4b43-9d8b-0b9a1a2b3c04",
                    "timestamp": "1709251200",
                    "Attribute": [
                        attr("user-id", "text", "p-alex"),
                        attr("account-type", "text", "linkedin"),
                        attr("username", "text", "alex-li-csed"),
                    ],
                },
                {
                    "name": "personification",
                    "uuid": "7c1f7f0e-6a39-4b43-9d8b-0b9a1a2b3c05",
                    "timestamp": "1709251200",
                    "Attribute": [
                        attr(
                            "portrait",
                            "attachment",
                            "face.png",
                            data=base64.b64encode(png).decode(),
                        ),
                    ],
                },
                {
                    "name": "bank-account",
                    "uuid": "7c1f7f0e-6a39-4b43-9d8b-0b9a1a2b3c06",
                    "Attribute": [attr("iban", "iban", "GB00TEST0000")],
                },
            ],
            "Attribute": [
                {
                    "type": "url",
                    "value": "https://www.linkedin.com/in/secret-persona",
                    "uuid": "7c1f7f0e-6a39-4b43-9d8b-0b9a1a2b3c07",
                    "timestamp": "1709251200",
                    "Tag": [{"name": "tlp:red"}],
                },
                {
                    "type": "ip-dst",
                    "value": "192.0.2.1",
                    "uuid": "7c1f7f0e-6a39-4b43-9d8b-0b9a1a2b3c08",
                },
            ],
        }
    }


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'misp.db'}")


def match(store: Store, **profile: object) -> list[dict]:
    idx = IntelIndex(load_indicators(store))
    return idx.match(ProfileFacts.from_profile(Profile.model_validate({"id": "x", **profile})))


def test_import_misp_event_objects_and_attachments(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(misp_event()), encoding="utf-8")
    report = import_misp_file(store, path)
    assert report.rejected == []
    assert report.types["indicator"] == 5  # four account objects + the RED url
    assert any("bank-account" in n or "ip-dst" in n for n in report.notes)

    [m] = match(store, url="https://uk.linkedin.com/in/Rachel-Li-HR")
    assert m["kind"] == "url" and m["marking"] == "TLP:AMBER"
    assert m["source"] == "Partner CERT"
    assert "Fake recruiter personas" in m["actor"] and "Example Actor" in m["actor"]
    # the impersonated victim is never matched
    assert match(store, url="https://www.linkedin.com/in/real-person", name="Real Person") == []
    kinds = {
        m["kind"] for m in match(store, contact={"email": "Lily.Wu@sino-europe-studies.example"})
    }
    assert kinds == {"email"}
    assert {m["kind"] for m in match(store, url="https://linkedin.com/in/lily-wu-88")} == {
        "account"
    }
    assert [m["kind"] for m in match(store, id="p-alex")] == ["account"]
    # the portrait attachment was hashed: the same picture matches by PDQ
    pdq = hash_image(decode_image(portrait_png()).rgb).hex
    [photo] = match(store, photo={"pdq": pdq})
    assert photo["kind"] == "photo" and photo["distance"] == 0
    [red] = match(store, url="https://www.linkedin.com/in/secret-persona")
    assert red["marking"] == "TLP:RED"

    again = import_misp_file(store, path)
    assert again.new == 0 and again.unchanged == again.accepted


def test_bad_misp_input(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UntrustedFileError, match="not a MISP event"):
        import_misp(store, b"[1, 2", "misp:bad.json")
    p = tmp_path / "big.json"
    p.write_bytes(b" " * 64)
    from spycatcher.intel.misp import read_misp_file

    with pytest.raises(UntrustedFileError):
        read_misp_file(p, max_bytes=10)


def test_misp_export_round_trip(tmp_path: Path) -> None:
    findings = [
        Finding(
            "p-rachel",
            name="Rachel Li",
            url="https://www.linkedin.com/in/rachel-li-hr",
            score=0.97,
            level="high",
            campaign_id="campaign-1",
            marking_refs=[AMBER],
            count=8,
        ),
        Finding(
            "p-laeticia",
            name="Laeticia Chen",
            photo_pdq="ab" * 32,
            score=0.9,
            campaign_id="campaign-1",
        ),
        Finding(
            "p-secret", name="Mei Zhang", score=0.99, marking_refs=[RED], campaign_id="campaign-2"
        ),
    ]
    campaigns = [
        CampaignFinding("campaign-1", ["p-rachel", "p-laeticia"]),
        CampaignFinding("campaign-2", ["p-secret"]),
    ]
    event, withheld = build_event(findings, campaigns, now=NOW)
    text = export_misp_json(event)
    assert "p-secret" not in text and "Mei Zhang" not in text and "tlp:red" not in text
    assert {w[0] for w in withheld} == {"profile p-secret", "campaign campaign-2"}
    assert '"tlp:amber"' in text
    # deterministic: the same findings give the same event, uuids included
    again, _ = build_event(findings, campaigns, now=NOW)
    assert export_misp_json(again) == text

    partner = Store(f"sqlite:///{tmp_path / 'partner.db'}")
    report = import_misp(partner, text, "misp:spycatcher.json")
    assert report.rejected == []
    [m] = match(partner, url="https://linkedin.com/in/rachel-li-hr")
    assert m["kind"] in ("account", "url") and m["marking"] == "TLP:AMBER"
    assert [m["kind"] for m in match(partner, photo={"pdq": "ab" * 32})] == ["photo"]
