"""Countries by ISO 3166 alpha-2, named in Spanish and English through Babel's CLDR data.

"Corea" alone is ambiguous (KR or KP) but in this office's work it always means South Korea, so it
resolves to KR; the alias table below says so in one place.
"""

from __future__ import annotations

from functools import lru_cache

from .errors import Phrase
from .text import fold_key

# Names people in the office actually type that CLDR does not list, or lists differently.
EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "KR": ("Corea", "Korea", "Republica de Corea", "Republic of Korea", "Corea del Sur"),
    "US": ("EEUU", "EE.UU.", "EE UU", "USA", "Estados Unidos de America", "Norteamerica"),
    "GB": ("Reino Unido", "UK", "Inglaterra"),
    "NL": ("Holanda", "Holland", "Paises Bajos"),
    "DO": ("Rep. Dominicana", "Rep Dominicana", "Republica Dominicana"),
    "CN": ("China", "Republica Popular China", "PRC"),
    "VE": ("Venezuela",),
}


# The alpha-2 codes CLDR names (checked against Babel by the tests), so that validating a stored code
# does not load Babel's locale data, which costs a quarter of a second at start-up.
ISO_CODES = frozenset(
    """
    AC AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CP CQ CR CU CV CW CX CY CZ DE DG DJ DK DM DO DZ
    EA EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU IC ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA
    LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XA XB XK YE YT ZA ZM ZW
    """.split()
)


@lru_cache(maxsize=1)
def _names() -> tuple[dict[str, str], dict[str, str]]:
    from babel import Locale

    es = {k: v for k, v in Locale("es").territories.items() if len(k) == 2 and k.isalpha()}
    en = {k: v for k, v in Locale("en").territories.items() if len(k) == 2 and k.isalpha()}
    # CLDR keeps a few codes that are not countries (ZZ = unknown region, EU, UN...).
    for code in ("ZZ", "EU", "EZ", "UN", "QO"):
        es.pop(code, None)
        en.pop(code, None)
    return es, en


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    es, en = _names()
    index: dict[str, str] = {}
    for code in es:
        index.setdefault(fold_key(code), code)
    for table in (es, en):
        for code, name in table.items():
            index.setdefault(fold_key(name), code)
    for code, aliases in EXTRA_ALIASES.items():
        for alias in aliases:
            index[fold_key(alias)] = code
    return index


def is_code(code: str) -> bool:
    return code.upper() in ISO_CODES


def name_es(code: str) -> str:
    return _names()[0].get(code.upper(), code.upper())


def name_en(code: str) -> str:
    return _names()[1].get(code.upper(), code.upper())


def aliases(code: str) -> list[str]:
    """Every name we recognise for a country, English name first after the code."""
    code = code.upper()
    out = [name_en(code), *EXTRA_ALIASES.get(code, ())]
    return [a for a in dict.fromkeys(out) if a != name_es(code)]


def lookup(text: str) -> str | None:
    """The alpha-2 code for a code or a Spanish or English name, or None.

    >>> lookup("Corea"), lookup("korea"), lookup("kr"), lookup("Países Bajos")
    ('KR', 'KR', 'KR', 'NL')
    """
    if len(text) == 2 and text.upper() in ISO_CODES:
        return text.upper()
    found = _index().get(fold_key(text))
    if found is None and text.count(",") == 1:
        # ISO's inverted form: "Korea, Republic of" is "Republic of Korea".
        name, _, prefix = text.partition(",")
        found = _index().get(fold_key(f"{prefix} {name}"))
    return found


def resolve(text: str) -> str:
    """Like :func:`lookup` but raises ``ValueError`` with a hint when nothing matches."""
    code = lookup(text)
    if code is None:
        from .errors import N_, UnknownValue
        from .text import closest, quote

        # Only a near-miss of a name is offered ("Colmbia"); "Narnia" gets no guess.
        names = [k for k in _index() if len(k) > 3]
        near = closest(text, names)
        if near is None:
            raise UnknownValue(N_("{value} is not a country code or name"), value=quote(text))
        raise UnknownValue(
            N_("{value} is not a country code or name; did you mean {suggestion}?"),
            value=quote(text),
            suggestion=CountryName(_index()[near]),
        )
    return code


class CountryName(Phrase):
    """A country in a message, named in the reader's language with its code: "Corea del Sur (KR)"."""

    def __init__(self, code: str):
        self.code = code

    def text(self, lang: str) -> str:
        name = name_es(self.code) if lang == "es" else name_en(self.code)
        return f"{name} ({self.code})"
