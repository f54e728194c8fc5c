"""The one reader of the quantities a lead asks for, in product rows and the message.

Leads write "1,20,000 sq ft", "2 500 m2", "2.5k sqft", "about 1200 sft",
"500 वर्ग फुट", "10x8 ft", "45 units", "60 sheets". Triage turns them into four
measures to compare sizes; the high-value rule takes the largest figure. Both
read numbers here, so they never disagree about the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SQ_FT_PER_M2 = 10.764

# Thousands separators: "40,000", Indian "1,20,000", French "2 500"; a "k" on its
# own means thousands ("2.5k sqft"), while "500 kg" is 500.
# Linear in the text, whatever it holds (a message may be a 250,000-character tender): a number
# starts where a run of digits starts, its digits never give back (possessive: a shorter number
# is followed by a digit, which no unit starts with), at most five groups follow the first
# (1,20,00,00,000), and a word between a number and its unit is at most 40 letters. Without
# that, a run of digits cost seconds per thousand (the units pattern's cost grew with its cube).
_NUMBER = r"(?<!\d)(?P<n>\d{1,3}(?:[,\u00a0\u202f ]\d{2,3}){1,5}|\d++(?:\.\d++)?)(?:\s?(?P<k>[kK])(?![a-zA-Z]))?"
_AREA_FT = r"(?:sq\.?\s*ft|sqft|sft|square\s*f(?:ee|oo)t|sq\.?\s*feet|स्क्वायर\s*फीट|वर्ग\s*फुट)"
_AREA_M = r"(?:m2|m²|sq\.?\s*m(?:tr|eters?|etres?)?\b|sqm|metros?\s*cuadrados?|mètres?\s*carrés?)"
_UNITS = r"(?:units?|nos?\b|pcs|pieces?|lights?|fixtures?)"
_SHEETS = r"(?:sheets?)"
_BOXES = r"(?:box(?:es)?|cartons?)"

_MEASURES = {
    "sq_ft": re.compile(_NUMBER + r"\s*" + _AREA_FT, re.IGNORECASE),
    "m2": re.compile(_NUMBER + r"\s*" + _AREA_M, re.IGNORECASE),
    "units": re.compile(_NUMBER + r"\s*(?:(?>[a-z0-9-]{1,40})\s+){0,3}" + _UNITS, re.IGNORECASE),
    "sheets": re.compile(_NUMBER + r"\s*" + _SHEETS, re.IGNORECASE),
    "boxes": re.compile(_NUMBER + r"\s*" + _BOXES, re.IGNORECASE),
}
_DIMENSIONS = re.compile(r"(?<!\d)(\d++(?:\.\d++)?)\s*[x×*]\s*(\d++(?:\.\d++)?)\s*(?:ft|feet)\b", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"^\s*" + _NUMBER + r"\s*$")


@dataclass(frozen=True)
class Quantities:
    area_sq_ft: float = 0.0
    units: float = 0.0
    sheets: float = 0.0
    boxes: float = 0.0

    @property
    def any(self) -> bool:
        return any((self.area_sq_ft, self.units, self.sheets, self.boxes))


_ANY_NUMBER = re.compile(_NUMBER)


def _number(match: re.Match[str]) -> float:
    value = float(re.sub(r"[,\u00a0\u202f ]", "", match.group("n")))
    return value * 1000 if match.group("k") else value


def _largest(pattern: re.Pattern[str], text: str) -> float:
    return max((_number(m) for m in pattern.finditer(text)), default=0.0)


def parse_quantity(text: str | None) -> float | None:
    """The largest figure in a free-text quantity ("2 500 m2" -> 2500, "1.5k tiles" -> 1500); None without one."""
    if not text:
        return None
    figures = [_number(m) for m in _ANY_NUMBER.finditer(text)]
    return max(figures) if figures else None


def read_quantities(texts: list[str], product_quantities: list[str]) -> Quantities:
    """The largest figure of each measure; a bare number on a product row counts as units."""
    joined = "\n".join(texts + product_quantities)
    area = max(_largest(_MEASURES["sq_ft"], joined), _largest(_MEASURES["m2"], joined) * SQ_FT_PER_M2)
    area = max([area] + [float(a) * float(b) for a, b in _DIMENSIONS.findall(joined)])
    units = _largest(_MEASURES["units"], joined)
    for quantity in product_quantities:
        bare = _BARE_NUMBER.match(quantity)
        if bare:
            units = max(units, _number(bare))
    return Quantities(
        area_sq_ft=round(area, 1),
        units=units,
        sheets=_largest(_MEASURES["sheets"], joined),
        boxes=_largest(_MEASURES["boxes"], joined),
    )
