"""From a source's raw fields to one clean shape: salary, location, type, level, text.

Each function takes the messy text boards really show ("$53K-$91K (Glassdoor est.)",
"£30,000 a year", "R$ 8.000/mês", "São Paulo, SP, Brasil") and returns structured
values or None; nothing here raises on odd input.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import nh3
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from jobswap.matching.geocode import country_names, fold

# --- salary ---------------------------------------------------------------------------

_CURRENCY_SIGNS = {
    "R$": "BRL", "US$": "USD", "C$": "CAD", "CA$": "CAD", "A$": "AUD", "AU$": "AUD", "NZ$": "NZD",
    "MX$": "MXN", "HK$": "HKD", "S$": "SGD", "$": "USD", "£": "GBP", "€": "EUR", "¥": "JPY", "₹": "INR",
    "₩": "KRW", "zł": "PLN", "kr": "SEK", "CHF": "CHF", "₽": "RUB", "₪": "ILS", "₺": "TRY",
}  # fmt: skip
_CODES = {"USD", "EUR", "GBP", "BRL", "CAD", "AUD", "INR", "JPY", "CHF", "MXN", "PLN", "SEK", "NZD", "SGD"}
_PERIODS = [
    ("hour", r"(?:an?|per|/|por|par|pro)\s*(?:hour|hr|hora|heure|stunde)\b|/h\b|hourly|\bph\b"),
    ("day", r"(?:a|per|/|por|par|pro)\s*(?:day|dia|jour|tag)\b|daily"),
    ("week", r"(?:a|per|/|por|par|pro)\s*(?:week|wk|semana|semaine|woche)\b|weekly"),
    ("month", r"(?:a|per|/|por|par|pro)\s*(?:month|mo|m[eê]s|mois|monat)\b|monthly|mensal"),
    ("year", r"(?:a|per|/|por|par|pro)\s*(?:year|yr|annum|ano|an|jahr)\b|yearly|annual|anual|p\.?a\.?"),
]
_NUMBER = r"\d{1,3}(?:[.,\s]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_AMOUNT = re.compile(rf"(?P<num>{_NUMBER})\s*(?P<mult>[kKmM](?![a-z]))?")


@dataclass(frozen=True)
class Salary:
    minimum: float | None
    maximum: float | None
    currency: str | None
    period: str | None  # hour | day | week | month | year
    estimated: bool = False


def _number(text: str) -> float | None:
    text = text.replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+(?:,\d{1,2})?", text):  # 8.000 or 8.000,50 (pt/de/es)
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?", text):  # 30,000 or 30,000.50
        text = text.replace(",", "")
    elif re.fullmatch(r"\d+,\d{1,2}", text):  # 25,50
        text = text.replace(",", ".")
    elif "," in text:
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def parse_salary(text: str | None, *, default_currency: str | None = None) -> Salary | None:
    """Amounts, currency and period from free text; None when no amount is there."""
    if not text:
        return None
    raw = " ".join(text.split())
    low = raw.casefold()
    currency = None
    for code in _CODES:
        if re.search(rf"\b{code}\b", raw):
            currency = code
            break
    if currency is None:
        for sign in sorted(_CURRENCY_SIGNS, key=len, reverse=True):
            if sign in raw:
                currency = _CURRENCY_SIGNS[sign]
                break
    amounts: list[float] = []
    for match in _AMOUNT.finditer(raw):
        value = _number(match.group("num"))
        if value is None:
            continue
        mult = (match.group("mult") or "").lower()
        value *= 1_000 if mult == "k" else 1_000_000 if mult == "m" else 1
        amounts.append(value)
    if not amounts:
        return None
    # "$53K-$91K": a K on the second number only applies to both ("53-91K")
    if (
        len(amounts) >= 2
        and amounts[0] < 1_000 <= amounts[1]
        and re.search(r"\d\s*[-–to]+\s*\d+\s*[kK]", raw)
    ):
        amounts[0] *= 1_000
    period = next((name for name, pattern in _PERIODS if re.search(pattern, low)), None)
    amounts = amounts[:2]
    if period is None:
        top = max(amounts)
        period = "hour" if top < 300 else "month" if top < 15_000 and currency == "BRL" else "year"
    return Salary(
        minimum=min(amounts),
        maximum=max(amounts),
        currency=currency or default_currency,
        period=period,
        estimated="est" in low,
    )


# --- location --------------------------------------------------------------------------

US_STATES = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
    "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND",
    "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "DC",
}  # fmt: skip
BR_STATES = {
    "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB", "PR", "PE",
    "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
}  # fmt: skip


@dataclass(frozen=True)
class Place:
    city: str | None
    region: str | None
    country: str | None  # ISO 3166-1 alpha-2
    remote: bool = False


def parse_location(text: str | None, *, country_hint: str | None = None) -> Place:
    if not text:
        return Place(None, None, country_hint)
    remote = bool(re.search(r"\b(remote|remoto|remota|home ?office|anywhere|télétravail)\b", text, re.I))
    cleaned = re.sub(r"\((?:remote|remoto|hybrid|híbrido|on-?site)[^)]*\)", "", text, flags=re.I)
    cleaned = re.sub(r"\b(remote|remoto|remota|hybrid|híbrido)\b\s*(?:in|em|-|–)?", "", cleaned, flags=re.I)
    parts = [p.strip(" .-–") for p in re.split(r"[,;|]", cleaned) if p.strip(" .-–")]
    parts = [re.sub(r"\s+\d{5}(?:-\d{3,4})?$", "", p) for p in parts]  # drop a trailing postcode
    country = country_hint
    region = None
    if parts and fold(parts[-1]) in country_names():
        country = country_names()[fold(parts.pop())]
    if parts and len(parts[-1]) == 2 and parts[-1].isupper():
        code = parts[-1]
        if code in US_STATES and country in (None, "US"):
            country, region = "US", parts.pop()
        elif code in BR_STATES and country in (None, "BR"):
            country, region = "BR", parts.pop()
    if len(parts) >= 2 and region is None:
        region = parts.pop()
    city = parts[0] if parts else None
    if city and re.fullmatch(r"(?:metropolitan area|greater)\b.*|.*\b(?:area|region)$", city, re.I):
        city = re.sub(r"\s*(?:metropolitan area|area|region)$|^greater\s+", "", city, flags=re.I) or None
    return Place(city, region, country, remote)


# --- employment type, workplace, level ----------------------------------------------------

_TYPES = [
    ("internship", r"intern(?:ship)?|est[aá]gi|praktik|stage\b|trainee"),
    ("part_time", r"part[\s-]?time|meio per[ií]odo|teilzeit|temps partiel"),
    ("contract", r"contract|contractor|freelance|pj\b|c2c|1099|consultant"),
    ("temporary", r"temporary|temp\b|tempor[aá]ri|seasonal"),
    ("volunteer", r"volunteer|volunt[aá]ri"),
    ("full_time", r"full[\s-]?time|fulltime|permanent|tempo integral|clt|vollzeit|cdi\b|efetivo"),
]


def employment_type(*texts: str | None) -> str | None:
    joined = " ".join(t for t in texts if t).casefold()
    if not joined:
        return None
    for name, pattern in _TYPES:
        if re.search(pattern, joined):
            return name
    return None


def workplace(*texts: str | None) -> str | None:
    """remote | hybrid | on_site, from the fields that say so (title, location, criteria)."""
    joined = " ".join(t for t in texts if t).casefold()
    if re.search(r"\bhybrid|h[ií]brido|hybride\b", joined):
        return "hybrid"
    if re.search(
        r"\b(remote|remoto|remota|work from home|wfh|home ?office|télétravail|100% remote)\b", joined
    ):
        return "remote"
    if re.search(r"\b(on-?site|in[- ]office|presencial|vor ort)\b", joined):
        return "on_site"
    return None


LEVELS = ("intern", "entry", "mid", "senior", "lead", "executive")
_TITLE_LEVELS = [
    ("executive", r"\b(chief|c[etfo]o|vp|vice president|president|svp|evp|diretor[a]? executiv)\b"),
    (
        "lead",
        r"\b(head of|lead|principal|staff|director|diretor|diretora|manager|gerente|architect|arquitet)\b",
    ),
    ("intern", r"\b(intern|internship|est[aá]gi[oá]ri[oa]?|est[aá]gio|trainee|apprentice|werkstudent)\b"),
    ("senior", r"\b(senior|sr\.?|s[eê]nior|snr|iii|iv)\b"),
    ("entry", r"\b(junior|jr\.?|j[uú]nior|entry|graduate|associate|assistant|i)\b"),
    ("mid", r"\b(pleno|mid|intermediate|ii)\b"),
]
_CRITERIA = {
    "internship": "intern", "entry level": "entry", "associate": "entry", "mid-senior level": "senior",
    "director": "lead", "executive": "executive", "not applicable": None, "estágio": "intern",
    "assistente": "entry", "júnior": "entry", "pleno": "mid", "pleno-sênior": "senior", "sênior": "senior",
    "diretor": "lead", "executivo": "executive", "não aplicável": None,
}  # fmt: skip


def experience_level(title: str | None, criteria: str | None = None, text: str | None = None) -> str | None:
    """From the title's words first (they are the most specific), then the board's own level
    ("Mid-Senior level"), then years asked for in the text."""
    lowered = (title or "").casefold()
    for level, pattern in _TITLE_LEVELS:
        if re.search(pattern, lowered):
            return level
    if criteria and criteria.strip().casefold() in _CRITERIA:
        return _CRITERIA[criteria.strip().casefold()]
    if text:
        years = [int(y) for y in re.findall(r"(\d{1,2})\+?\s*(?:years|anos|años|ans|jahre)", text, re.I)]
        years = [y for y in years if y <= 30]
        if years:
            most = max(years)
            return "entry" if most <= 1 else "mid" if most <= 4 else "senior" if most <= 9 else "lead"
    return None


# --- description ---------------------------------------------------------------------------

_ALLOWED_TAGS = {
    "p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "u", "h2", "h3", "h4", "h5", "blockquote", "a",
    "code", "pre", "table", "thead", "tbody", "tr", "td", "th",
}  # fmt: skip
_BLOCKS = {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "ul", "ol", "pre"}


def sanitise_html(markup: str) -> str:
    """Only formatting tags survive; links keep href (http/https/mailto) and get rel=nofollow."""
    return nh3.clean(
        markup,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    ).strip()


def html_to_text(markup: str) -> str:
    """Readable text: block elements become line breaks, list items get a bullet."""
    tree = HTMLParser(markup)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    root = tree.body or tree.root
    if root is None:
        return ""
    out: list[str] = []
    for node in root.traverse(include_text=True):
        if node.tag == "-text":
            out.append(node.text_content or "")
        elif node.tag in _BLOCKS:
            out.append("\n- " if node.tag == "li" else "\n")
    text = html.unescape("".join(out)).replace("\u00a0", " ")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\u00a0", " ")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- dates --------------------------------------------------------------------------------

_AGO = re.compile(
    r"(\d+)\+?\s*(minute|min|hour|hora|day|dia|week|semana|month|m[eê]s|mese|year|ano)s?", re.IGNORECASE
)
_UNIT_DAYS = {
    "minute": 1 / 1440, "min": 1 / 1440, "hour": 1 / 24, "hora": 1 / 24, "day": 1, "dia": 1, "week": 7,
    "semana": 7, "month": 30, "mês": 30, "mes": 30, "mese": 30, "year": 365, "ano": 365,
}  # fmt: skip


def parse_posted(  # noqa: PLR0911  (one return per format recognised)
    value: str | int | float | None, *, now: datetime | None = None
) -> datetime | None:
    """ISO dates, epoch seconds or milliseconds, and "3 days ago"/"há 2 semanas"."""
    now = now or datetime.now(UTC)
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10_000_000_000 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except ValueError:
        pass
    if re.search(r"\b(just now|today|hoje|agora|heute)\b", text, re.I):
        return now
    if re.search(r"\b(yesterday|ontem)\b", text, re.I):
        return now - timedelta(days=1)
    match = _AGO.search(text)
    if match:
        unit = match.group(2).casefold()
        days = _UNIT_DAYS.get(unit, _UNIT_DAYS.get(unit.rstrip("s"), 1))
        return now - timedelta(days=int(match.group(1)) * days)
    return None


# --- identity of a posting ---------------------------------------------------------------------

_COMPANY_NOISE = re.compile(
    r"\b(inc|llc|ltd|limited|corp|corporation|co|company|gmbh|s\.?a\.?|ltda|plc|group|holdings?)\b\.?"
)


def _key(text: str | None) -> str:
    text = unicodedata.normalize("NFKD", (text or "").casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"[a-z0-9+#]+", text))


def company_key(name: str | None) -> str:
    return " ".join(_COMPANY_NOISE.sub(" ", _key(name)).split())


def title_key(title: str | None) -> str:
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", title or "")
    text = re.sub(r"\b(m/w/d|m/f/d|f/m/d|h/f|w/m/d)\b", " ", text, flags=re.I)
    return _key(text)


def fingerprint(company: str | None, title: str | None, place: Place) -> str:
    where = _key(place.city) or ("remote" if place.remote else _key(place.country))
    raw = "|".join([company_key(company), title_key(title), where])
    return hashlib.sha256(raw.encode()).hexdigest()[:40]


def simhash(text: str, *, bits: int = 64) -> int:
    """A 64-bit SimHash of word 3-shingles: near-identical descriptions differ in few bits.
    Returned as a signed 64-bit integer, to fit a PostgreSQL bigint."""
    words = _key(text).split()
    if not words:
        return 0
    shingles = [" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))]
    weights = [0] * bits
    for shingle in shingles:
        h = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(bits):
            weights[bit] += 1 if h >> bit & 1 else -1
    value = sum(1 << bit for bit in range(bits) if weights[bit] > 0)
    return value - (1 << 64) if value >= 1 << 63 else value


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()
