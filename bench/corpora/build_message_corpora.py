"""Write the message corpora used by bench/lure_fp.py (deterministic; the JSONL files are committed).

- ``benign_messages.jsonl``: everyday professional messages and genuine recruiters' messages, in
  many registers: networking, colleagues, scheduling, sales, academia, job seekers, recruiters
  (including the things genuine recruiters do say: "unique opportunity", "SC clearance
  required", "interview travel reimbursed", "call me on my mobile", "confidential search").
  ``kind`` says which register; ``gray`` marks messages that are legitimate but worded like a lure
  (expert networks paying for calls, conferences paying invited speakers' trips): they are
  reported separately, because a member should still verify them.
- ``lure_messages.jsonl``: approach messages in the manner of the published cases, written in
  varied wording (and some obfuscated), each labelled with the lure categories it contains.

    .venv/bin/python bench/corpora/build_message_corpora.py
"""

# ruff: noqa: E501  (message templates are data: one template a line reads best)
from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

FIRST = "Anna Ben Chloe David Emma Farid Grace Hugo Isla Jamal Kate Liam Mia Noah Olga Priya Raj Sara Tom Yuki Zoe Marek Ines Kwame Lucia".split()
ORGS = [
    "Acme Analytics",
    "Northwind Logistics",
    "Brightwater Health",
    "Kestrel Software",
    "Harbour Bank",
    "Greenleaf Foods",
    "the city council",
    "Orbit Retail",
    "Bluepeak Consulting",
    "Tallis & Co",
    "Meridian Insurance",
    "the NHS trust",
    "Foxglove Media",
    "Ironbridge Engineering",
    "Quill Publishing",
]
ROLES = [
    "Senior Data Engineer",
    "Product Manager",
    "Site Reliability Engineer",
    "Finance Business Partner",
    "Head of Marketing",
    "UX Researcher",
    "Systems Engineer",
    "Project Manager",
    "Solicitor",
    "Clinical Data Manager",
    "Cyber Security Analyst",
    "Procurement Lead",
    "Policy Officer",
    "Embedded Software Engineer",
    "Operations Director",
]
CITIES = [
    "London",
    "Manchester",
    "Leeds",
    "Bristol",
    "Edinburgh",
    "Berlin",
    "Munich",
    "Amsterdam",
    "Dublin",
    "Cardiff",
    "Glasgow",
    "Reading",
]
EVENTS = [
    "the AWS Summit",
    "last week's meetup",
    "the CIPD conference",
    "the industry dinner",
    "the hackathon",
    "the webinar on data governance",
    "the careers fair",
    "RSA Conference",
]
TOPICS = [
    "data governance",
    "cloud migration",
    "supply chain resilience",
    "clinical trials",
    "payments regulation",
    "accessibility",
    "our Q3 roadmap",
    "the procurement framework",
    "net zero reporting",
    "the new CRM",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _fill(r: random.Random, t: str) -> str:
    return t.format(
        name=r.choice(FIRST),
        me=r.choice(FIRST),
        org=r.choice(ORGS),
        org2=r.choice(ORGS),
        role=r.choice(ROLES),
        city=r.choice(CITIES),
        event=r.choice(EVENTS),
        topic=r.choice(TOPICS),
        day=r.choice(DAYS),
        sal=r.choice(
            [
                "£55-65k",
                "£70,000",
                "up to £90k",
                "€80k plus bonus",
                "$140k base",
                "£45k-£50k",
                "£600 a day outside IR35",
            ]
        ),
        n=r.randint(2, 9),
        phone=r.choice(["07700 900123", "+44 20 7946 0958", "0161 496 0011", "+49 30 901820"]),
        email=r.choice(
            [
                "anna.k@acme-analytics.co.uk",
                "careers@northwind.com",
                "t.smith@kestrel.io",
                "jobs@harbourbank.com",
            ]
        ),
        pct=r.choice(["20%", "10%", "a little"]),
    )


BENIGN: dict[str, list[str]] = {
    "networking": [
        "Hi {name}, great to meet you at {event}. Let's keep in touch!",
        "Thanks for connecting, {name}. I enjoyed your talk on {topic}.",
        "Hello {name}, we met briefly at {event}. I'd love to hear more about your work at {org}.",
        "Hi {name}! Congratulations on the new role at {org}, well deserved.",
        "Happy work anniversary, {name}! Hope all is well in {city}.",
        "Hi {name}, I saw your post about {topic} and found it really useful. Thanks for sharing.",
        "Thanks for accepting my invitation. I'm also working on {topic}, happy to compare notes some time.",
        "Hello {name}, a mutual friend ({me}) suggested I reach out. Would you have 20 minutes for a coffee in {city}?",
        "Hi {name}, I'm new to {city} and building my network in {topic}. Would love to connect.",
        "Great panel yesterday, {name}. Your point about {topic} really stuck with me.",
        "Hi {name}, thank you for the endorsement! Returned the favour.",
        "Hey {name}, long time no see! Are you still at {org}?",
        "Thanks {name}, it was a pleasure working with you on the {topic} project.",
        "Hi, I'm organising a small meetup on {topic} in {city} next {day}. Drinks are on us if you fancy it.",
        "Hello {name}, I really admire your work on {topic}. Would you be open to mentoring a junior colleague?",
        "Hi {name}, do you know anyone at {org} who works on {topic}? I'm trying to find the right person to talk to.",
    ],
    "colleague": [
        "Hi {name}, could you send me the slides from {day}'s meeting? My email is {email}",
        "Thanks for the update. I'll review the draft on {topic} and come back to you by {day}.",
        "Can we move our 1:1 to {day} afternoon? Something came up.",
        "Hi {name}, the report is due {day}; can you check the numbers in section 3?",
        "Quick one: who is the best person in your team to ask about {topic}?",
        "What are you working on at the moment? We might be able to share some of the tooling.",
        "Hi {name}, please keep the budget figures confidential until the board has signed off.",
        "I'm out of office until {day}. For anything urgent please call me on my mobile {phone}.",
        "Hi {name}, I've shared the folder with you. Let me know if you can't access it.",
        "Reminder: the deadline for timesheets is tomorrow at noon.",
        "Thanks for covering for me yesterday, I owe you a coffee.",
        "Could you please approve the purchase order for the {topic} licences? It's urgent as the quote expires {day}.",
        "Hi {name}, the client loved the proposal. Great job everyone!",
        "Can you forward me the minutes from the steering group on {topic}?",
        "I'll be in {city} on {day}; happy to meet in the office if you're around.",
        "FYI the internal wiki page on {topic} has been updated with the new process.",
        "Hi {name}, just checking you got my email about {topic}?",
        "We need your input on the {topic} risk register before the audit.",
    ],
    "recruiter": [
        "Hi {name}, I'm recruiting for a {role} at {org} in {city} ({sal}). Your background looks like a great fit. Open to a quick call?",
        "Hello {name}, I came across your profile and was impressed by your experience. We have an exciting opportunity for a {role}. Would you be interested?",
        "Hi {name}, I'm working on a confidential search for a {role} with a well-known client in {city}. Hybrid, {sal}. Can I send you the details?",
        "Hi {name}, this is a unique opportunity to join a fast-growing scale-up as {role}. Interviews are happening this week, so please reply ASAP if interested.",
        "Dear {name}, are you open to new opportunities? {org} is hiring a {role}. Please send your CV to {email}.",
        "Hi {name}, a {role} role has come up with my client in {city}. Active SC clearance is required for this position. Salary {sal}.",
        "Do you hold active DV clearance? I have a {role} vacancy on a defence programme in {city}, {sal}.",
        "Hi {name}, you have been selected for a second interview for the {role} position. Travel expenses for the interview will be reimbursed.",
        "Hello {name}, following our call, I've attached the job description for the {role} role. Let me know your thoughts!",
        "Hi {name}, my client offers a relocation package and {sal} for a {role} in {city}. Happy to talk it through. You can reach me on {phone}.",
        "Hi {name}, thanks for applying to {org}. We'd like to invite you to an assessment day in {city} on {day}.",
        "Hi {name}, I know you're probably not looking, but this {role} role at {org} is quite special: strong team, great culture, {sal}.",
        "Hello, I'm an in-house recruiter at {org}. We're growing our {topic} team and your profile stood out. Would you be open to a chat?",
        "Hi {name}, we're hiring contractors for a 6-month {topic} project, {sal}. Remote with occasional travel to {city}.",
        "Hi {name}, just following up on my message last week about the {role} role. No worries if the timing isn't right!",
        "Dear {name}, unfortunately we've decided to move forward with other candidates for the {role} role. Thank you for your time.",
        "Hi {name}, what projects are you working on at the moment? I'd like to understand your experience before I put you forward for the {role} role.",
        "Hi {name}, great speaking earlier. As discussed, the {role} role pays {sal} plus a generous pension. The client wants to move quickly.",
        "Hello {name}, I'm building a shortlist for a {role} with {org}. Your experience in {topic} is exactly what they need. Free for a call {day}?",
        "Hi {name}, we have an opening for a {role}. The role involves {pct} travel within Europe. Interested?",
    ],
    "sales": [
        "Hi {name}, I noticed {org} is growing fast. Would you be open to a 15-minute demo of our {topic} platform?",
        "Hello {name}, we help teams like yours cut costs on {topic}. Free trial available this month only.",
        "Hi {name}, exclusive offer for LinkedIn members: 30% off our {topic} course, ends {day}.",
        "Hi {name}, following up on my last note. Is {topic} a priority for {org} this year?",
        "Hi {name}, I'd love to invite you to our customer roundtable on {topic} in {city}. Lunch provided.",
        "Hello, we're running a webinar on {topic} next {day}. Would you like me to save you a seat?",
        "Hi {name}, would it make sense to connect with whoever handles {topic} at {org}?",
        "Quick question, {name}: who looks after procurement of {topic} tools at {org}?",
    ],
    "academic": [
        "Dear {name}, we'd be delighted if you could give a seminar on {topic} at our department in {city}. We can offer a modest honorarium.",
        "Dear Dr {name}, thank you for your paper on {topic}. Would you be willing to review a manuscript for our journal?",
        "Hi {name}, I'm a PhD student working on {topic}. Could I ask you a few questions about your 2021 paper?",
        "Dear {name}, the call for papers for our workshop on {topic} closes on {day}. We'd welcome a submission from your group.",
        "Dear {name}, travel grants are available for early career researchers attending the {topic} symposium in {city}.",
        "Hi {name}, we're putting together a grant application on {topic} and wondered if your lab would like to be a partner.",
        "Dear {name}, as an invited speaker the organisers will cover your travel and accommodation in {city}.",
        "Dear Professor {name}, I would be grateful for your advice on applying to the MSc programme in {topic}.",
    ],
    "job_seeker": [
        "Hi {name}, I saw the {role} opening at {org} and I'm very interested. Could you tell me more about the team?",
        "Hello {name}, I'm a graduate looking for roles in {topic}. Would you have any advice for someone starting out?",
        "Dear {name}, please find my CV attached for the {role} position. I'm available to start immediately.",
        "Hi {name}, thanks for the referral! I've submitted my application for the {role} role.",
        "Hi {name}, I'm relocating to {city} next month and looking for {role} roles. Any pointers appreciated.",
    ],
    "personal": [
        "Hi {name}, are you coming to the reunion in {city}? Our WhatsApp group for the alumni is getting busy!",
        "Congrats on the baby news, {name}! Hope you're all well.",
        "Hi {name}, sorry I missed your call, I'll ring you back after work.",
        "Thanks for the book recommendation, {name}. Halfway through already.",
        "Hi {name}, I'm running a half marathon for charity in {city}. Any support appreciated!",
    ],
}

GRAY: dict[str, list[str]] = {
    "expert_network": [
        "Hi {name}, I work for an expert network. A client is looking for insight into {topic} and would pay $300 per hour for a one-hour phone consultation. Interested?",
        "Hello {name}, we're arranging paid consultation calls on {topic} for an investment client. Compliance rules apply: no confidential information.",
    ],
    "conference": [
        "Dear {name}, we would like to invite you as keynote speaker at our summit in Singapore; all expenses paid and a speaking fee of $2,000.",
    ],
}

LURES: list[tuple[list[str], str]] = [
    (
        ["flattery", "paid_work"],
        "Dear {name}, your unique expertise in {area} would be invaluable to our clients. We pay USD {fee} for a short report of 3-5 pages.",
    ),
    (
        ["paid_work"],
        "Hello {name}, our think tank commissions brief papers on {area}. A fee of {fee} dollars is paid upon delivery of each paper.",
    ),
    (
        ["paid_work", "urgency"],
        "We are looking for a few experts to write short analyses on {area}. Payment is {fee} EUR per report. This is a one-off, exclusive opportunity, so please reply soon.",
    ),
    (
        ["paid_work"],
        "Our client is prepared to pay generously for your views on {area}; around ${fee} for a short conversation and a two-page summary.",
    ),
    (
        ["paid_work", "off_platform"],
        "You would be well paid for your insights. It is easier to discuss terms on WhatsApp: {phone}.",
    ),
    (
        ["trip"],
        "Our center would like to invite you to {city} for an academic exchange; all travel expenses will be covered by our side.",
    ),
    (
        ["trip", "flattery"],
        "As one of the leading experts on {area}, you are invited to speak at our forum in {city}. It is a fully funded trip, business class flights and a five-star hotel.",
    ),
    (
        ["trip"],
        "We would be honoured to host you in {city} next month. All expenses are paid, of course.",
    ),
    (
        ["trip", "paid_work"],
        "We will arrange a paid visit to {city} and a speaking fee. Everything is on us.",
    ),
    (
        ["off_platform"],
        "LinkedIn is not very convenient for me. Could you add me on {app}? My ID is {handle}.",
    ),
    (
        ["off_platform"],
        "It would be better to continue our conversation outside LinkedIn. What is your personal email?",
    ),
    (["off_platform"], "Please message me on {app_obf}, it is more secure."),
    (
        ["off_platform"],
        "Perhaps we could meet in person in {city}? My colleagues would be glad to see you there.",
    ),
    (["off_platform"], "Let's move to Signal, I will send you my number."),
    (
        ["urgency"],
        "Please keep our discussions between us; there is no need to mention this to your employer or colleagues.",
    ),
    (
        ["urgency", "paid_work"],
        "Only a few selected experts are invited to contribute. Honorarium {fee} USD. Kindly keep this confidential from your employer.",
    ),
    (
        ["elicitation"],
        "Could you tell me who else in your department works on {area}? I would like to understand the team.",
    ),
    (
        ["elicitation"],
        "For the next report, could you share some internal documents on {area}? Drafts are fine.",
    ),
    (
        ["elicitation"],
        "Do you have access to classified briefings on {area}? Our client is very interested in the real picture.",
    ),
    (
        ["elicitation"],
        "What is the ministry's internal position on {area}? Any insider information would help.",
    ),
    (
        ["elicitation", "paid_work"],
        "We are happy to pay for insider information on the upcoming decisions about {area}: ${fee} per briefing.",
    ),
    (
        ["flattery"],
        "I have been following your work for some time. You are truly a renowned expert in {area}.",
    ),
    (
        ["flattery", "off_platform"],
        "Your exceptional knowledge of {area} is exactly what our client is looking for. Can we talk on {app}?",
    ),
    (
        ["urgency", "elicitation"],
        "Please do not tell your security officer about our cooperation. Which projects is your team currently working on?",
    ),
    (
        ["off_platform", "elicitation"],
        "Send me the names of colleagues who work on {area} via {app}, it's safer than here.",
    ),
    (["paid_work"], "We offer {fee} USD per article for policy commentary on {area}."),
    (
        ["paid_work", "trip"],
        "Besides the fee for the report, our institute will invite you to {city}, all expenses paid.",
    ),
]
# Lures reworded away from the usual phrases (for the semantic-similarity extra, which should catch
# what the lexicon misses): written without looking at the lexicon's patterns.
PARAPHRASES: list[tuple[list[str], str]] = [
    (
        ["paid_work"],
        "We would value your perspective and compensate your effort for a few pages on the energy transition.",
    ),
    (
        ["paid_work"],
        "Our partners reward experts like you handsomely for occasional written thoughts on regional affairs.",
    ),
    (
        ["paid_work"],
        "There is a budget set aside to thank you financially for putting your views down in a document.",
    ),
    (
        ["paid_work"],
        "Would you consider drafting something brief for us? We make it worth your while.",
    ),
    (
        ["paid_work"],
        "Our foundation supports independent analysts with stipends in exchange for their opinions.",
    ),
    (
        ["trip"],
        "Our organisation will look after flights, hotel and meals if you can join our gathering in the east.",
    ),
    (
        ["trip"],
        "We would love to welcome you for a week; you will not have to spend a cent on the journey.",
    ),
    (
        ["trip"],
        "An exchange visit is being organised and every cost of your stay will be on our side.",
    ),
    (["trip"], "Come and see our campus; tickets and lodging are handled by us."),
    (
        ["off_platform"],
        "Would it be possible to continue chatting somewhere other than LinkedIn? Perhaps an app on the phone.",
    ),
    (
        ["off_platform"],
        "Messages here are slow for me, is there a number where I can reach you directly?",
    ),
    (
        ["off_platform"],
        "I rarely check this site; drop me your home address for email and I will write there.",
    ),
    (["off_platform"], "Can I ring you privately this evening instead of typing here?"),
    (["off_platform"], "Let us talk through an encrypted messenger, I will explain more there."),
    (["elicitation"], "Which people in your unit handle the procurement programme at the moment?"),
    (
        ["elicitation"],
        "It would help me to know how your directorate really sees the coming negotiations.",
    ),
    (
        ["elicitation"],
        "Could you pass me any papers circulating internally about the reform before they are published?",
    ),
    (["elicitation"], "Are you still cleared to attend the restricted meetings on this topic?"),
    (["elicitation"], "Who would be the right contact among your coworkers for the radar work?"),
    (
        ["elicitation"],
        "What is being discussed behind closed doors in your ministry about the sanctions?",
    ),
    (["urgency"], "It would be best if your employer did not hear about our arrangement."),
    (["urgency"], "This chance is offered to very few people and will not stay open for long."),
    (["urgency"], "Please do not discuss our exchange with anyone at work."),
    (
        ["flattery"],
        "Someone of your calibre is rare; your grasp of arms control is second to none.",
    ),
    (
        ["flattery"],
        "Few people understand this field the way you do; our director specifically asked for you.",
    ),
]
AREAS = [
    "EU energy security",
    "arms control",
    "5G supply chains",
    "the Indo-Pacific",
    "export controls",
    "sanctions policy",
    "NATO enlargement",
    "quantum computing",
    "vaccine research",
    "semiconductor policy",
]
LURE_CITIES = ["Beijing", "Shanghai", "Moscow", "Hong Kong", "Shenzhen", "Minsk", "Tehran"]
APPS = ["WhatsApp", "WeChat", "Telegram", "Viber"]


def obfuscate(r: random.Random, word: str) -> str:
    kind = r.randrange(4)
    if kind == 0:
        return " ".join(word)
    if kind == 1:
        return word.replace("a", "4").replace("e", "3")
    if kind == 2:
        return word.replace("a", "а").replace("e", "е").replace("o", "о")  # Cyrillic
    return word[:3] + "\u200b" + word[3:]


def _lure(r: random.Random, t: str) -> str:
    return t.format(
        name=r.choice(FIRST),
        area=r.choice(AREAS),
        fee=r.choice(["1,500", "2000", "3,000", "800", "5k"]),
        city=r.choice(LURE_CITIES),
        app=r.choice(APPS),
        app_obf=obfuscate(r, r.choice(APPS)),
        handle=r.choice(["lily_wu88", "rachel.li.hr", "alexli2019"]),
        phone=r.choice(["+86 138 0013 8000", "+7 916 123 45 67", "+852 5123 4567"]),
    )


def main() -> None:
    r = random.Random(20240611)
    benign = []
    seen: set[str] = set()
    for kind, templates in BENIGN.items():
        per = 1600 // len(BENIGN)
        tries = 0
        while sum(1 for b in benign if b["kind"] == kind) < per and tries < per * 20:
            tries += 1
            text = _fill(r, r.choice(templates))
            if text in seen:
                continue
            seen.add(text)
            benign.append({"kind": kind, "gray": False, "text": text})
    for kind, templates in GRAY.items():
        for _ in range(15):
            text = _fill(r, r.choice(templates))
            if text not in seen:
                seen.add(text)
                benign.append({"kind": kind, "gray": True, "text": text})
    lures = []
    for _ in range(600):
        cats, t = r.choice(LURES)
        text = _lure(r, t)
        if text in seen:
            continue
        seen.add(text)
        lures.append({"categories": cats, "text": text})
    paraphrases = [{"categories": cats, "text": text} for cats, text in PARAPHRASES]
    for name, rows in (
        ("benign_messages.jsonl", benign),
        ("lure_messages.jsonl", lures),
        ("lure_paraphrases.jsonl", paraphrases),
    ):
        with open(HERE / name, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(name, len(rows))


if __name__ == "__main__":
    main()
