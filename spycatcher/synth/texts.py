"""Genuine members' words: headlines, summaries, invitation notes and messages.

Genuine summaries are assembled from many independent fragments with slot fillers so that two
members' summaries are not near-duplicates of each other (templated wording is a campaign trait,
and a template detector must not fire on the crowd). Ordinary messages include the phrases a lure
detector could confuse with an approach: genuine recruiters' "competitive salary", "remote role"
and "would you be open to a chat", researchers' interview requests and honoraria, conference
invitations with travel covered, friends moving to WhatsApp. Those are the hard negatives.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from spycatcher.synth.sectors import SECTORS, Sector


def _s(text: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in text.split("|") if x.strip())


@dataclass(slots=True)
class Who:
    """What a text may mention about its writer (and, for messages, its reader)."""

    first: str
    full: str
    title: str
    org: str
    sector: int
    city: str
    years: int = 5
    field: str = ""
    school: str = ""
    prev_org: str = ""


# ---- headlines ----------------------------------------------------------------------------------

_HEADLINE_FORMS = (
    (0.55, "{title} at {org}"),
    (0.12, "{title} | {org}"),
    (0.10, "{title} at {org} | {skill1} | {skill2}"),
    (0.06, "{title} — {topic}"),
    (0.05, "{title}, {org}"),
    (0.04, "{skill1} · {skill2} · {skill3}"),
    (0.04, "{title} at {org}. Views my own."),
    (0.04, "Helping teams with {topic} | {title}"),
)


def headline(r: random.Random, title: str, org: str, sector: int, skills: list[str]) -> str:
    sec = SECTORS[sector]
    x = r.random()
    form = _HEADLINE_FORMS[-1][1]
    for p, f in _HEADLINE_FORMS:
        if x < p:
            form = f
            break
        x -= p
    sk = skills + list(sec.skills[:3])
    return form.format(
        title=title,
        org=org,
        skill1=sk[0],
        skill2=sk[1],
        skill3=sk[2],
        topic=r.choice(sec.topics).capitalize(),
    )


# ---- summaries ----------------------------------------------------------------------------------

_ADJ = _s(
    "experienced|curious|pragmatic|collaborative|detail-oriented|analytical|hands-on|driven"
    "|people-focused|versatile|enthusiastic|thoughtful|creative|results-oriented|calm"
)
_NOUN = _s(
    "professional|practitioner|specialist|problem-solver|team player|generalist|leader"
    "|engineer at heart|communicator|builder"
)
_VALUES = _s(
    "clear communication|honesty|doing things properly|curiosity|teamwork|evidence"
    "|simplicity|inclusion|craft|continuous learning|patience|accountability|good humour"
)
_HOBBIES = _s(
    "run half-marathons|play five-a-side football|cook for friends|climb|sing in a choir"
    "|volunteer at a food bank|restore old bikes|walk the dog|read history|play chess"
    "|coach junior rugby|paint watercolours|grow vegetables|sail|play the cello|hike"
    "|brew coffee far too seriously|photograph birds|swim in cold water|learn Japanese"
)
_OPEN = (
    "{Adj} {title_l} with {years} years of experience in {topic}.",
    "I am a {adj} {noun} based in {city}, currently working on {topic} at {org}.",
    "Over the past {years} years I have worked across {topic} and {topic2}.",
    "Currently {title_l} at {org}, focusing on {topic}.",
    "{Adj} {noun} passionate about {topic}.",
    "I lead work on {topic} at {org}.",
    "Hi, I'm {first}. I work on {topic} and {topic2}.",
    "{years}+ years in {sector}, most recently as {title_l} at {org}.",
    "I help {org} with {topic}.",
    "Based in {city}. {Title} working on {topic}.",
    "My work sits between {topic} and {topic2}.",
    "I've spent my career in {sector}, and I still enjoy it.",
)
_MIDDLE = (
    "Before that I spent {n} years at {prev_org} working on {topic2}.",
    "My background is in {field}, which I studied at {school}.",
    "Particular interests include {topic}, {topic2} and {topic3}.",
    "I'm especially interested in how {topic} is changing {sector}.",
    "Day to day I work closely with {team} to get things delivered.",
    "I enjoy turning messy problems into something {team} can act on.",
    "Previously at {prev_org}.",
    "I started out in {field} and moved into {sector} after {n} years.",
    "Recent work includes {topic2} and a lot of {skill_l}.",
    "I've mentored {m} junior colleagues and still learn from all of them.",
    "I like {skill_l}, good data and well-run meetings.",
    "Much of my recent time has gone into {topic2}.",
    "I hold a {field} degree from {school}.",
)
_VALUE = (
    "I believe good work starts with {value}.",
    "I care about {value} and {value2}.",
    "{Value} matters more to me than job titles.",
    "Colleagues would say I bring {value} to a team.",
)
_PERSONAL = (
    "Outside work I {hobby}.",
    "When I'm not working I {hobby}.",
    "Away from the desk I {hobby} and {hobby2}.",
    "Parent of two; I also {hobby}.",
)
_CLOSE = (
    "Always happy to connect with people working on {topic}.",
    "Views my own.",
    "Feel free to get in touch about {topic}.",
    "Open to conversations about {topic2}.",
    "Happy to chat about {sector} careers.",
    "Opinions are my own, not my employer's.",
    "Let's connect.",
)
_TEAMS = _s(
    "engineers|analysts|policy colleagues|clients|operations teams|researchers|designers"
    "|product teams|partners across government|suppliers|stakeholders"
)


class _SummarySlots(dict):  # type: ignore[type-arg]
    """Summary slots computed on first use (a summary names only a few of them)."""

    __slots__ = ("r", "who", "sec")

    def __init__(self, r: random.Random, who: Who) -> None:
        super().__init__()
        self.r = r
        self.who = who
        self.sec = SECTORS[who.sector]

    def __missing__(self, key: str) -> object:
        if key in ("topic", "topic2", "topic3"):
            t = self.r.sample(self.sec.topics, 3)
            self.update(topic=t[0], topic2=t[1], topic3=t[2])
            return self[key]
        value = _SUMMARY_MAKERS[key](self)
        self[key] = value
        return value


def _title_lower(s: _SummarySlots) -> str:
    t = s.who.title
    return t[0].lower() + t[1:] if t else "professional"


_SUMMARY_MAKERS: dict[str, Callable[[_SummarySlots], object]] = {
    "adj": lambda s: s.r.choice(_ADJ),
    "Adj": lambda s: str(s["adj"]).capitalize(),
    "noun": lambda s: s.r.choice(_NOUN),
    "title_l": _title_lower,
    "Title": lambda s: s.who.title,
    "years": lambda s: s.who.years,
    "city": lambda s: s.who.city.split(",")[0],
    "org": lambda s: s.who.org,
    "first": lambda s: s.who.first,
    "sector": lambda s: s.sec.industry.lower(),
    "n": lambda s: s.r.randint(2, 9),
    "m": lambda s: s.r.randint(2, 12),
    "prev_org": lambda s: s.who.prev_org or "a small consultancy",
    "field": lambda s: s.who.field or s.r.choice(s.sec.fields),
    "school": lambda s: s.who.school or "university",
    "team": lambda s: s.r.choice(_TEAMS),
    "skill_l": lambda s: s.r.choice(s.sec.skills).lower(),
    "value": lambda s: s.r.choice(_VALUES),
    "Value": lambda s: str(s["value"]).capitalize(),
    "value2": lambda s: s.r.choice(_VALUES),
    "hobby": lambda s: s.r.choice(_HOBBIES),
    "hobby2": lambda s: s.r.choice(_HOBBIES),
}
_N_MIDDLE = (0, 1, 1, 2, 2, 3)


def summary(r: random.Random, who: Who) -> str:
    """A genuine summary: 1-6 sentences from independent fragment pools with fillers."""
    parts = [r.choice(_OPEN)]
    for _ in range(r.choice(_N_MIDDLE)):
        p = r.choice(_MIDDLE)
        if p not in parts:
            parts.append(p)
    if r.random() < 0.35:
        parts.append(r.choice(_VALUE))
    if r.random() < 0.3:
        parts.append(r.choice(_PERSONAL))
    if r.random() < 0.5:
        parts.append(r.choice(_CLOSE))
    return " ".join(parts).format_map(_SummarySlots(r, who))


# ---- invitations and messages --------------------------------------------------------------------

_GREET = ("Hi {first},", "Hello {first},", "Dear {first},", "Hi {first} -", "Hey {first}!", "")
_SIGN = ("Best, {me}", "Thanks, {me}", "Cheers, {me}", "", "", "Kind regards, {me_full}", "{me}")
_EVENTS = _s(
    "the {sector} summit|last week's conference|the {city} meetup|the webinar on {topic}"
    "|the industry dinner|the panel on {topic}|the workshop in {city}|the trade fair"
)
_NOTES = (
    "Great to meet you at {event} - let's stay in touch.",
    "Enjoyed your talk at {event}. Would be good to connect.",
    "We met briefly at {event}; I'd like to add you to my network.",
    "I'm also working on {topic} and would be glad to connect.",
    "Former colleague of {mutual} - thought we should connect.",
    "Saw your post on {topic}, really interesting. Let's connect.",
    "We'll be working together on the {topic} project - looking forward to it.",
    "Hi, I'm new to {org} and connecting with the team.",
)
_OPENERS: dict[str, tuple[str, ...]] = {
    "congrats": (
        "Congratulations on the new role! Well deserved.",
        "Congrats on the promotion - great news.",
        "Happy work anniversary! Hope all is well at {their_org}.",
        "Just saw the news - congratulations, you'll be brilliant.",
        "Huge congratulations on the {topic} award!",
        "Saw your post about the move to {their_org}. Congratulations!",
        "Congrats on {n} years at {their_org}!",
        "Well done on the {topic} launch - the whole team should be proud.",
    ),
    "meeting": (
        "Would you have time for a coffee next week? I'd love to hear how {topic} is going.",
        "Are you free for a quick call on {day}? Keen to compare notes on {topic}.",
        "Could we find 30 minutes to talk about the {topic} workstream?",
        "I'm in {city} on {day} - fancy lunch?",
        "Can we move our {day} catch-up to the afternoon?",
        "Would you be up for a quick chat about {topic} sometime {day}?",
        "Any chance you could join the {topic} review on {day}?",
        "I'd value your view on our {topic} plans. Do you have time {day}?",
    ),
    "followup": (
        "Thanks for the chat at {event}. As promised, here's the link to the report I mentioned.",
        "Good to meet you at {event}. Shall we pick up the {topic} conversation?",
        "Following up from {event} - would you share your slides?",
        "Lovely to see you at {event}. The paper I mentioned on {topic} is on our website.",
        "Thanks again for your questions at {event}. Happy to continue the {topic} discussion.",
        "Great to bump into you at {event}! Let me know when you're next in {city}.",
    ),
    "question": (
        "Quick question: which tool did your team use for {skill_l}? We're evaluating options.",
        "Do you know anyone who's worked on {topic}? Looking for advice.",
        "Have you seen the new guidance on {topic}? Curious what you make of it.",
        "Are you going to {event} this year?",
        "Did you ever find a good course on {skill_l}? Thinking of doing one.",
        "How did you find the move from {org} to {their_org}?",
        "What are you reading on {topic} at the moment? Need some recommendations.",
        "Is {their_org} still using the old system for {skill_l}?",
    ),
    "referral": (
        "I noticed {their_org} is hiring - would you be happy to refer me? Happy to send my CV.",
        "{mutual} suggested I reach out about opportunities in {topic}.",
        "I'm thinking about a move into {sector}. Could I ask you a few questions about it?",
        "My former colleague is applying to {their_org}. Would you be open to a quick chat "
        "with her?",
        "Could you write me a short recommendation for the {topic} work we did together?",
    ),
    "event": (
        "We're running a panel on {topic} in {city} and would love you to speak. We can cover "
        "travel costs.",
        "Would you be interested in joining our webinar on {topic} as a panellist?",
        "We'd be delighted if you could join our roundtable on {topic} next month.",
        "Our {sector} network meets in {city} on {day}. Would you like to come along?",
        "We're looking for a keynote on {topic} for our annual conference. Any interest?",
    ),
    "sales": (
        "I help {sector} teams with {topic}. Would you be open to a quick call this week?",
        "Our platform cuts time spent on {skill_l} by 40%. Worth a 15-minute demo?",
        "Thought this might be relevant to your work on {topic} - happy to share a case study.",
        "We've just launched a {skill_l} tool built for the {sector} sector. Free trial?",
        "Are you the right person to talk to about {topic} at {their_org}?",
    ),
    "friend": (
        "Easier to chat on WhatsApp? I'll send you the photos from the weekend.",
        "Lost your number - can you message me on WhatsApp? Planning the reunion.",
        "Drop me a line on my personal email, the work one is blocked for big files.",
        "Are you coming on Saturday? Let me know on Signal.",
        "Ha, I didn't know you were on here! How are the kids?",
        "Long time no see! Drinks when you're back in {city}?",
    ),
}
CONVERSATION_KINDS = tuple(_OPENERS)
#: relative frequency of each genuine conversation kind
CONVERSATION_WEIGHTS = (0.16, 0.22, 0.14, 0.18, 0.08, 0.05, 0.12, 0.05)
# Replies are assembled from an acknowledgement, a body and sometimes a closing.
_REPLY_ACK = (
    "Thanks {first}!", "Hi {first},", "Thanks for reaching out.", "Great to hear from you.",
    "Sorry for the slow reply -", "Ha, yes!", "Thanks,", "Hi,", "Good to hear from you {first}.",
    "", "", "",
)  # fmt: skip
_REPLY_BODY = (
    "Really appreciate it.",
    "{day} works for me.",
    "Happy to help.",
    "Let's do it. I'll send an invite.",
    "yes, that would be great.",
    "will take a look and come back to you.",
    "Not this time, I'm afraid, but thanks for thinking of me.",
    "See you there.",
    "We used a mix of in-house tools, happy to explain on a call.",
    "Let's catch up soon.",
    "Done - sent you an email.",
    "Perfect, thank you.",
    "I'm travelling until {day}, can we talk after that?",
    "I'll check with the team and get back to you.",
    "Sounds interesting - what did you have in mind?",
    "Afraid I'm snowed under with {topic} work this month.",
    "I'd be glad to. Send me the details.",
    "Yes, {their_org} is still on it, unfortunately!",
    "Could you send the link again? It didn't come through.",
    "That's kind of you. I'm not looking to move at the moment.",
    "Good idea. How about {day} at 10?",
    "I'm not the right person, but I'll forward this to a colleague.",
    "Lovely to hear from you! It's been ages.",
    "Absolutely - I'll bring the {topic} notes.",
)
_REPLY_CLOSE = ("", "", "", "Speak soon.", "Best, {me}", "Cheers!", "Thanks again.", "{me}")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "next week", "the 14th")


class People(Protocol):
    """What texts need to know about members (see :class:`spycatcher.synth.people.Directory`)."""

    def first(self, i: int) -> str: ...
    def name(self, i: int) -> str: ...
    def org_name(self, i: int) -> str: ...
    def sector(self, i: int) -> int: ...
    def city(self, i: int) -> str: ...


class Slots(dict):  # type: ignore[type-arg]
    """Template slots for one text, computed on first use.

    ``str.format_map`` asks only for the slots a template names, so a short reply does not pay
    for the names, topics and events a long message would need: that keeps millions of
    messages cheap to write.
    """

    __slots__ = ("r", "people", "me", "them")

    def __init__(self, r: random.Random, people: People, me: int, them: int) -> None:
        super().__init__()
        self.r = r
        self.people = people
        self.me = me
        self.them = them

    def __missing__(self, key: str) -> object:
        value = _MAKERS[key](self)
        self[key] = value
        return value


def _their_sector(s: Slots) -> Sector:
    return SECTORS[s.people.sector(s.them)]


def _article(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "AEIOUaeiou" else f"a {noun}"


def _salary(s: Slots) -> str:
    k = s.r.randrange(45, 140, 5)
    return s.r.choice(_SALARY).format(k=k, k2=k + s.r.randrange(10, 40, 5))


def _wrap(r: random.Random, body: str, slots: Slots, formal: float = 0.5) -> str:
    greet = r.choice(_GREET) if r.random() < 0.8 else ""
    sign = r.choice(_SIGN) if r.random() < formal else ""
    if greet:
        body = f"{greet} {body}"
    if sign:
        body = f"{body} {sign}"
    return body.format_map(slots)


def invitation_note(r: random.Random, people: People, me: int, them: int) -> str:
    return _wrap(r, r.choice(_NOTES), Slots(r, people, me, them), formal=0.3)


def opening_message(r: random.Random, kind: str, people: People, me: int, them: int) -> str:
    return _wrap(r, r.choice(_OPENERS[kind]), Slots(r, people, me, them))


def reply_message(r: random.Random, people: People, me: int, them: int) -> str:
    parts = (r.choice(_REPLY_ACK), r.choice(_REPLY_BODY), r.choice(_REPLY_CLOSE))
    text = " ".join(x for x in parts if x)
    return (text[0].upper() + text[1:]).format_map(Slots(r, people, me, them))


# ---- genuine recruiters (hard negatives) ---------------------------------------------------------

_SALARY = (
    "£{k}k + bonus",
    "up to £{k}k",
    "€{k}k-€{k2}k",
    "${k}k base + equity",
    "a competitive salary",
)
_ROLE_TERMS = (
    "permanent role",
    "12-month contract",
    "remote role",
    "hybrid role",
    "interim assignment",
    "fully remote role",
)
_RECRUITER_NOTES = (
    "Hi {first}, I recruit {topic} specialists and would like to connect.",
    "Hello {first}, I'm working on {a_terms} for {a_title} with a leading {sector} client. "
    "Would you be open to a chat?",
    "Hi {first}, I'd like to add you to my network - I work with {sector} teams across {city}.",
    "Hi {first}, are you open to new opportunities? I have {a_terms} that matches your background.",
)
_RECRUITER_MESSAGES = (
    "I'm partnering with a {sector} client on {a_title} position ({terms}, {salary}). "
    "Your experience in {topic} stands out. Would you be open to a confidential chat this week?",
    "Thanks for connecting. We're hiring {a_title} for a client in {city} - {salary}, {terms}. "
    "Happy to share the job description if you're interested.",
    "I have an exciting opportunity for {a_title} with a growing {sector} business: {salary}, "
    "{terms}, great benefits. Would you be open to a quick call?",
    "Our client, a {sector} organisation, needs {a_title} with {topic} experience. "
    "The role requires {clearance}. Competitive salary. Interested in hearing more?",
)
_RECRUITER_FOLLOWUPS = (
    "Just following up on my message below - is now a good time to talk?",
    "Would {day} at 2pm work for a short call? I can send the full spec beforehand.",
    "No worries if the timing isn't right - feel free to pass this on to anyone suitable.",
    "Great, I'll send the job description to your email. Speak soon.",
)
_CLEARANCE = ("SC clearance", "eligibility for security clearance", "DV clearance", "no clearance")


def recruiter_note(r: random.Random, people: People, me: int, them: int) -> str:
    return r.choice(_RECRUITER_NOTES).format_map(Slots(r, people, me, them))


def recruiter_message(
    r: random.Random, people: People, me: int, them: int, followup: bool = False
) -> str:
    slots = Slots(r, people, me, them)
    if followup:
        return r.choice(_RECRUITER_FOLLOWUPS).format_map(slots)
    return _wrap(r, r.choice(_RECRUITER_MESSAGES), slots, formal=0.8)


# ---- genuine researchers (hard negatives) -------------------------------------------------------

_RESEARCH_NOTES = (
    "Dear {first}, I research {rtopic} at {org} and would value connecting.",
    "Hello {first}, I'm working on a study of {rtopic} and would be glad to connect.",
    "Hi {first}, we met at {event}. I'd like to stay in touch about {rtopic}.",
)
_RESEARCH_MESSAGES = (
    "I'm writing a report on {rtopic} at {org}. Would you be willing to share your perspective "
    "in a 30-minute interview? Contributions can be non-attributable, and I'm happy to send "
    "questions in advance.",
    "We're convening a closed roundtable on {rtopic} in {city} next month and would value your "
    "participation. Chatham House rule applies.",
    "Thank you for connecting. I've just published a paper on {rtopic} and would welcome your "
    "comments - I can send it to your work email.",
    "I'm leading a project on {rtopic} and would like to interview officials working on it. We "
    "can offer a modest honorarium, in line with our institute's policy.",
    "Would you consider speaking at our annual conference in {city}? We cover speakers' travel "
    "and accommodation.",
)
_RESEARCH_FOLLOWUPS = (
    "Many thanks - I'll email the questions via my institutional address.",
    "Thank you, that's very helpful. I'll send a calendar invitation.",
    "Just a gentle follow-up on my note below; no problem if you're too busy.",
)


def researcher_note(r: random.Random, people: People, me: int, them: int) -> str:
    return r.choice(_RESEARCH_NOTES).format_map(Slots(r, people, me, them))


def researcher_message(
    r: random.Random, people: People, me: int, them: int, followup: bool = False
) -> str:
    slots = Slots(r, people, me, them)
    if followup:
        return r.choice(_RESEARCH_FOLLOWUPS).format_map(slots)
    return _wrap(r, r.choice(_RESEARCH_MESSAGES), slots, formal=0.9)


# Slot makers (defined last: they use the word lists above).
_MUTUAL = ("Sam", "Priya", "Tom", "Anna", "our old team", "my manager")
_MAKERS: dict[str, Callable[[Slots], object]] = {
    "first": lambda s: s.people.first(s.them),
    "me": lambda s: s.people.first(s.me),
    "me_full": lambda s: s.people.name(s.me),
    "org": lambda s: s.people.org_name(s.me),
    "their_org": lambda s: s.people.org_name(s.them),
    "topic": lambda s: s.r.choice(_their_sector(s).topics),
    "rtopic": lambda s: s.r.choice(SECTORS[s.people.sector(s.me)].topics),
    "skill_l": lambda s: s.r.choice(_their_sector(s).skills).lower(),
    "city": lambda s: s.people.city(s.me),
    "sector": lambda s: _their_sector(s).industry.lower(),
    "day": lambda s: s.r.choice(_DAYS),
    "n": lambda s: s.r.randint(2, 15),
    "mutual": lambda s: s.r.choice(_MUTUAL),
    "event": lambda s: s.r.choice(_EVENTS).format_map(s),
    "salary": _salary,
    "terms": lambda s: s.r.choice(_ROLE_TERMS),
    "title": lambda s: s.r.choice(_their_sector(s).titles[1 + int(s.r.random() * 3)]),
    "a_title": lambda s: _article(str(s["title"])),
    "a_terms": lambda s: _article(str(s["terms"])),
    "clearance": lambda s: s.r.choice(_CLEARANCE) if _their_sector(s).sensitive else "no clearance",
}
