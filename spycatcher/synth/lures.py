"""Hostile personas' words: templated summaries, invitation notes and escalating approaches.

A campaign writes from one template per field; each persona (and each message) changes a share
of the words (synonyms, small insertions), the way a team of operators reuses a script. The
approach follows the public guidance (redflags.md, "Approach"): flattery and interest in the
target's expertise, an offer too good to be true (paid reports, consultancy or speaking fees,
all-expenses-paid trips), exclusivity and urgency, a move off the platform, then questions
about projects, colleagues and access, escalating over the conversation. Careful operators start
benign and escalate late; sloppy ones put the offer in the invitation note.
"""

from __future__ import annotations

import random

# Words the operators' templates use, with the substitutions a persona makes.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "experienced": ("seasoned", "accomplished", "skilled"),
    "global": ("international", "worldwide", "cross-border"),
    "opportunities": ("openings", "positions", "prospects"),
    "leading": ("top", "premier", "prominent"),
    "clients": ("partners", "customers", "organisations"),
    "professionals": ("experts", "specialists", "talents"),
    "connect": ("link", "bridge", "match"),
    "exceptional": ("outstanding", "excellent", "remarkable"),
    "passionate": ("dedicated", "committed", "enthusiastic"),
    "research": ("studies", "analysis", "scholarship"),
    "exchange": ("dialogue", "cooperation", "communication"),
    "insights": ("views", "perspectives", "expertise"),
    "valuable": ("precious", "important", "meaningful"),
    "impressive": ("remarkable", "outstanding", "excellent"),
    "background": ("experience", "profile", "career"),
    "interested": ("keen", "eager", "interested"),
    "short": ("brief", "concise", "small"),
    "report": ("paper", "analysis", "briefing"),
    "generous": ("attractive", "handsome", "substantial"),
    "fee": ("payment", "remuneration", "compensation"),
    "convenient": ("easy", "efficient", "practical"),
    "discuss": ("talk about", "go over", "explore"),
    "invite": ("welcome", "host", "bring"),
    "seminar": ("forum", "symposium", "workshop"),
    "covered": ("paid", "taken care of", "arranged"),
    "colleagues": ("team members", "coworkers", "peers"),
    "current": ("present", "ongoing", "latest"),
    "projects": ("programmes", "work", "initiatives"),
    "strategic": ("key", "important", "core"),
    "development": ("growth", "progress", "cooperation"),
    "help": ("assist", "support", "aid"),
    "understand": ("learn", "know", "grasp"),
    "years": ("years", "yrs"),
    "team": ("group", "department", "unit"),
    "quickly": ("soon", "promptly", "fast"),
    "very": ("really", "extremely", "highly"),
    "discreet": ("confidential", "private", "low-key"),
    "exclusive": ("special", "one-off", "unique"),
    "expertise": ("knowledge", "experience", "know-how"),
    "policy": ("policies", "strategy", "affairs"),
    "hope": ("wish", "trust", "believe"),
    "dear": ("hello", "hi", "dear"),
    "regards": ("wishes", "greetings", "regards"),
    "platform": ("site", "network", "website"),
    "specialise": ("focus", "concentrate", "work"),
    "industry": ("sector", "field", "domain"),
    "solutions": ("services", "answers", "support"),
}
_FILLERS = ("really", "truly", "also", "indeed", "currently", "now", "kindly")

PERSONA_KINDS = ("headhunter", "think_tank", "consultant", "scholar")

SUMMARY_TEMPLATES: dict[str, tuple[str, ...]] = {
    "headhunter": (
        "Experienced headhunter at {firm} with over {years} years connecting exceptional "
        "professionals with global opportunities. We specialise in senior roles in {topic} "
        "and {topic2} for leading clients across Europe and Asia. I am passionate about helping "
        "talented people find the next strategic step in their career. Discreet, fast and "
        "personal service. Feel free to connect.",
        "{firm} is a leading talent consultancy. As Senior Partner I help exceptional "
        "professionals in {topic} find exclusive global opportunities with our clients. "
        "{years} years of industry experience, very strong network, discreet and confidential. "
        "Always interested to connect with experienced people.",
    ),
    "think_tank": (
        "Research Fellow at {firm}, a leading platform for research and exchange between "
        "Europe and Asia. My research covers {topic}, {topic2} and strategic development. "
        "I am passionate about building bridges and exchange of valuable insights between "
        "policy professionals. We regularly invite experts to our seminar series and publish "
        "short reports for our clients.",
        "{firm} promotes dialogue and research on {topic}. I manage our global exchange "
        "programme and expert network. Interested in connecting with policy professionals, "
        "diplomats and researchers who wish to share insights. {years} years experience in "
        "international research and policy.",
    ),
    "consultant": (
        "Managing Partner at {firm}. We provide strategic advisory solutions to leading clients "
        "in {topic} and {topic2}. With {years} years of experience in the industry I help clients "
        "understand market and policy development. We work with experienced professionals as "
        "paid expert advisers on short projects. Discreet and flexible.",
        "Senior consultant with {years} years of global experience. At {firm} we connect "
        "clients with exceptional industry professionals for short paid consultations on "
        "{topic}. Passionate about strategic insights and long-term cooperation.",
    ),
    "scholar": (
        "Visiting scholar at {firm}. My research covers {topic} and {topic2}. I am interested "
        "in academic exchange with experienced researchers and professionals, joint research "
        "projects and international conferences. Very happy to connect with colleagues working "
        "in this field.",
        "Associate Professor and researcher at {firm} with {years} years of research in "
        "{topic}. I organise international seminars and research exchange between Europe and "
        "Asia and I am always interested to invite exceptional scholars and professionals.",
    ),
}

#: invitation notes; "lure" ones carry the offer, "plain" ones only flatter
NOTES: dict[str, dict[str, tuple[str, ...]]] = {
    "lure": {
        "headhunter": (
            "Dear {first}, your impressive background in {topic} fits an exclusive global "
            "opportunity with a leading client. Generous package, remote. Can we discuss?",
            "Hi {first}, I have an exclusive part-time role for experienced professionals in "
            "{topic}, very generous fee. Please connect and I will share details.",
        ),
        "think_tank": (
            "Dear {first}, we invite experts in {topic} to write short reports for our clients, "
            "with a generous fee. Your insights would be very valuable.",
            "Dear {first}, we would like to invite you to our seminar in {city}, all expenses "
            "covered. Hope to connect.",
        ),
        "consultant": (
            "Hi {first}, our clients seek experienced professionals for short paid consultations "
            "on {topic}. Generous fee, flexible and discreet. Interested?",
        ),
        "scholar": (
            "Dear {first}, I am impressed by your expertise in {topic} and would like to invite "
            "you to an international seminar in {city}, travel and hotel covered.",
        ),
    },
    "plain": {
        "headhunter": (
            "Dear {first}, I came across your impressive profile and would like to connect.",
            "Hi {first}, I work with leading clients in {topic}. Happy to connect.",
        ),
        "think_tank": (
            "Dear {first}, I follow {topic} closely and would value your insights. Hope to "
            "connect.",
            "Dear {first}, I read about your work on {topic}. I hope we can connect and exchange.",
        ),
        "consultant": (
            "Hello {first}, I would like to connect with experienced professionals in {topic}.",
        ),
        "scholar": (
            "Dear {first}, I am a researcher in {topic} and hope to connect with colleagues.",
        ),
    },
}

#: conversation stages, in escalation order
STAGES = ("interest", "offer", "offplatform", "probe", "reward")
MESSAGES: dict[str, dict[str, tuple[str, ...]]] = {
    "interest": {
        "*": (
            "Dear {first}, thank you for connecting. I am very impressed by your background "
            "in {topic} at {org}. I hope we can exchange insights from time to time.",
            "Hi {first}, thanks for accepting. Your expertise in {topic} is exactly what our "
            "clients find valuable. How long have you been at {org}?",
            "Dear {first}, it is a pleasure to connect. I read about your work on {topic} and "
            "would be interested to understand your views on current policy development.",
        ),
    },
    "offer": {
        "headhunter": (
            "Our client, a leading global firm, is looking for experienced professionals like "
            "you for a part-time remote advisory role. The fee is very generous and the work is "
            "flexible and discreet. Would you be interested?",
            "I have an exclusive opportunity for you: senior consultant for a client in Asia, "
            "fully remote, {fee} per month. They need an answer quickly.",
        ),
        "think_tank": (
            "We would like to invite you to write a short report (3-5 pages) on {topic} for our "
            "clients. We pay a generous fee of {fee} for each report.",
            "Our institute would be honoured to invite you to speak at our seminar in {city}. "
            "All expenses covered and a speaking fee of {fee}. This is an exclusive invitation.",
        ),
        "consultant": (
            "One of our clients needs a short paid consultation on {topic} - about one hour, "
            "fee {fee}. It is very simple, just your insights on current development.",
            "We are building an expert network for a leading client. Experts write short "
            "reports on {topic}, {fee} each, fully discreet. Would you help?",
        ),
        "scholar": (
            "I would like to invite you to an international conference in {city}. Travel, "
            "hotel and a generous honorarium of {fee} are covered by our sponsors.",
            "We are preparing a joint research report on {topic} and hope you can contribute a "
            "short paper. We pay {fee} and publication in a prestigious journal.",
        ),
    },
    "offplatform": {
        "*": (
            "It is more convenient to discuss details on {app}. My {app} is {handle}. Please add "
            "me so we can talk quickly.",
            "This platform is not very convenient for me. Could we continue on {app}? My ID is "
            "{handle}.",
            "Please send me your personal email or {app} so I can share the contract details "
            "discreetly. Mine is {handle}.",
        ),
    },
    "probe": {
        "*": (
            "To prepare the report, could you tell me which current projects your team at {org} "
            "is working on, and who leads them?",
            "Our client is very interested in {topic}. What is the current thinking inside {org}? "
            "Any internal document would help us understand.",
            "Do any of your colleagues work on {topic2}? Our client would also pay them. What "
            "level of clearance is needed for that work?",
            "May I ask what your role involves day to day, and what access you have to the "
            "{topic} programme? It helps me match the right project.",
        ),
    },
    "reward": {
        "*": (
            "Our client was very satisfied. We can transfer the fee today, and we would like to "
            "invite you to {city} to meet the team - all expenses covered.",
            "Thank you, this is very valuable. The payment is ready. Next time we can meet in "
            "person in {city}; our partners will arrange flights and hotel.",
            "Excellent work. We have a longer project for you with a bigger fee. Can you meet our "
            "director in {city} next month? Everything is covered.",
        ),
    },
    "followup": {
        "*": (
            "Dear {first}, just following up on my message. This opportunity is exclusive and "
            "time-limited, so I hope to hear from you soon.",
            "Hi {first}, did you see my previous message? Happy to answer any questions.",
        ),
    },
}

#: what targets answer, by the stage they are replying to: (text, willing to go on?)
TARGET_REPLIES: dict[str, tuple[tuple[str, bool], ...]] = {
    "interest": (
        ("Thanks for reaching out. What is it you're working on?", True),
        ("Hi, thanks. About five years now - what does your firm do?", True),
        ("Thanks! Happy to connect.", True),
        ("Hello, thank you. Could you tell me more about your organisation?", True),
    ),
    "offer": (
        ("That sounds interesting. What would the report need to cover?", True),
        ("Who is the client, exactly?", True),
        ("Thanks, but I'm not able to take on outside work.", False),
        ("Possibly - what's the time commitment?", True),
        ("I'd need to check with my employer first.", False),
    ),
    "offplatform": (
        ("Sure, I've added you.", True),
        ("I'd prefer to keep things here on LinkedIn, if that's OK.", False),
        ("OK - my personal email is below.", True),
        ("Can you send me something on your company letterhead first?", False),
    ),
    "probe": (
        ("I can't really discuss my current work, I'm afraid.", False),
        ("I can send you a summary of what's public.", True),
        ("Why does your client need to know that?", False),
        ("Mostly {topic}, but I'd rather not go into detail here.", True),
    ),
    "reward": (
        ("Thank you. I'll think about the trip.", True),
        ("I don't think I can travel for this.", False),
        ("OK, send me the details.", True),
    ),
    "followup": (
        ("Sorry for the delay - yes, tell me more.", True),
        ("Thanks, but this isn't for me.", False),
    ),
}

_REPLY_ACKS = ("", "", "Hi {first}, ", "Thanks, ", "Hello {first}. ", "Thanks {first} - ")


def target_reply(r: random.Random, stage: str, fill: dict[str, object]) -> tuple[str, bool]:
    """What an approached member answers at a stage (text, willing to go on?).

    The same answers also appear in genuine recruiters' and researchers' conversations, so that
    the wording of a reply does not by itself give the conversation away.
    """
    text, willing = r.choice(TARGET_REPLIES[stage])
    ack = r.choice(_REPLY_ACKS)
    if ack:
        text = ack + text[0].lower() + text[1:] if not text.startswith("I") else ack + text
    return text.format_map(fill), willing


#: what members write when they report an approach (or a nuisance)
REPORT_TEXTS: dict[str, tuple[str, ...]] = {
    "fake_profile": (
        "I don't think this person is real. The photo looks like a model.",
        "Profile seems fake - the company doesn't seem to exist.",
        "Suspicious profile approaching lots of my colleagues.",
    ),
    "suspicious_approach": (
        "Offered me money to write a report and wanted to move to WhatsApp.",
        "Asked about my work projects and my colleagues after a job offer.",
        "Invited me on an all-expenses-paid trip. Reported to our security team.",
    ),
    "scam": ("Looks like a scam: too-good-to-be-true fee for a short paper.",),
    "spam": (
        "Keeps sending me job adverts.",
        "Repeated sales messages.",
        "Mass invitations from a recruiter.",
    ),
    "harassment": ("Keeps messaging me after I said no.",),
}

APPS = ("WhatsApp", "WeChat", "Telegram", "personal email", "Signal")
_FEES = ("USD 2,000", "EUR 1,500", "USD 3,000", "GBP 1,000", "USD 5,000", "EUR 3,000")


def perturb(r: random.Random, text: str, rate: float) -> str:
    """Change about ``rate`` of the words: synonyms where the script allows, small insertions.

    Mimics operators editing a shared script, so that personas' texts are near-duplicates
    (detectable with shingles/MinHash) but rarely identical.
    """
    words = text.split(" ")
    n = len(words)
    subst = [i for i, w in enumerate(words) if w in _FORMS]
    n_sub = min(len(subst), int(rate * n + r.random()))
    for i in r.sample(subst, n_sub):
        words[i] = _swap(r, words[i])
    # an occasional filler word, only mid-sentence
    for _ in range(int(rate * 0.1 * n + r.random())):
        pos = 1 + int(r.random() * (len(words) - 1)) if len(words) > 1 else 0
        if pos and words[pos][:1].islower() and words[pos - 1][-1:].isalpha():
            words.insert(pos, r.choice(_FILLERS))
    return " ".join(words)


_PUNCT = ".,;:!?()\"'"


#: every surface form of a substitutable word (capitalised, with trailing punctuation)
_FORMS: frozenset[str] = frozenset(
    form + p for key in SYNONYMS for form in (key, key[0].upper() + key[1:]) for p in ("", *_PUNCT)
)


def _swap(r: random.Random, word: str) -> str:
    core = word.strip(_PUNCT)
    if not core:
        return word
    alt = r.choice(SYNONYMS[core.lower()])
    if core[0].isupper():
        alt = alt[0].upper() + alt[1:]
    start = word.index(core)
    return word[:start] + alt + word[start + len(core) :]


def fee(r: random.Random) -> str:
    return r.choice(_FEES)


def handle(r: random.Random, app: str, first: str, last: str) -> str:
    """A contact handle for the off-platform move (reserved phone ranges, invented IDs)."""
    base = f"{first}.{last}".lower().replace(" ", "").replace("'", "")
    if app == "personal email":
        domain = r.choice(("gmail.com", "outlook.com", "163.com", "qq.com", "protonmail.com"))
        return f"{base}{r.randint(1, 99)}@{domain}"
    if app == "WeChat":
        return f"{first.lower()}_{r.randint(1000, 99999)}"
    if app == "Telegram":
        return f"@{first.lower()}{last.lower()[:3]}{r.randint(10, 999)}"
    # WhatsApp / Signal: UK drama-reserved mobile range, or a Hong Kong-style number
    if r.random() < 0.5:
        return f"+44 7700 900{r.randint(0, 999):03d}"
    return f"+852 5{r.randint(100, 999)} {r.randint(1000, 9999)}"
