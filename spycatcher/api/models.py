"""Request bodies of the API (responses are plain JSON objects documented per route).

Free text from members and reviewers is bounded and may not contain NUL characters (PostgreSQL
text cannot hold them); it is stored as given and never interpreted.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from spycatcher.review.base import MAX_TEXT
from spycatcher.schema import Profile


def _no_nul(v: str) -> str:
    if "\x00" in v:
        raise ValueError("must not contain NUL characters")
    return v


Text = Annotated[str, StringConstraints(max_length=MAX_TEXT), AfterValidator(_no_nul)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=1_000), AfterValidator(_no_nul)]
Platform = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(_no_nul)]
ReasonText = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_TEXT), AfterValidator(_no_nul)
]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CheckRequest(_Body):
    profile: Profile = Field(description="the profile that approached you (data contract v1)")
    message: Text | None = Field(None, description="the message or note it sent you")


class ReportRequest(_Body):
    platform: Platform = "linkedin"
    profile_id: Id
    reason: Literal[
        "fake_profile", "impersonation", "suspicious_approach", "spam", "harassment", "other"
    ]
    text: Text | None = Field(None, description="what happened, in your words (optional)")


class AppealRequest(_Body):
    platform: Platform = "linkedin"
    profile_id: Id = Field(description="your own profile")
    text: Text | None = Field(None, description="why the decision is wrong")


class DecisionRequest(_Body):
    decision: Literal["fake", "genuine", "needs_info", "escalate"]
    reason: ReasonText
    action: Literal["remove", "restrict", "label"] | None = Field(
        None, description="for 'fake' only: what the platform should do (default remove)"
    )


class AppealDecisionRequest(_Body):
    grant: bool = Field(description="true reinstates the profile and reverses every action")
    reason: ReasonText


class KeyRequest(_Body):
    role: Literal["member", "reviewer", "admin", "intel-partner"]
    name: Annotated[str, StringConstraints(max_length=200), AfterValidator(_no_nul)] | None = None
    subject_platform: Platform | None = None
    subject_id: Id | None = None
    can_see_reporters: bool = False


class GrantRequest(_Body):
    can_see_reporters: bool


class EraseRequest(_Body):
    platform: Platform = "linkedin"
    member_id: Id
