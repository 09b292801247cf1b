"""The default order options and pricing table every new writing site starts with.

``migrations/0002_defaults`` inserts them into the kind's template schema, from which every
writing site is cloned (``shared_apps/tenancy``), so a new site has them at once; its admins then
edit them. Kept here, as plain data, so the migration and the tests read the same table.

Page rates: ``BASE_RATES`` (one double-spaced page due in 14 days, per academic level) times
``BAND_FACTORS`` (shorter deadlines dearer), rounded half up to cents: undergraduate is 12.00 for
14 days rising to 37.80 for 6 hours.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: ``(group, slug, name)`` in the order offered.
OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("paper_type", "essay", "Essay"),
    ("paper_type", "research-paper", "Research paper"),
    ("paper_type", "term-paper", "Term paper"),
    ("paper_type", "case-study", "Case study"),
    ("paper_type", "book-review", "Book review"),
    ("paper_type", "dissertation", "Dissertation"),
    ("subject", "english-literature", "English literature"),
    ("subject", "history", "History"),
    ("subject", "business", "Business"),
    ("subject", "economics", "Economics"),
    ("subject", "psychology", "Psychology"),
    ("subject", "sociology", "Sociology"),
    ("subject", "nursing", "Nursing"),
    ("subject", "computer-science", "Computer science"),
    ("subject", "philosophy", "Philosophy"),
    ("subject", "political-science", "Political science"),
    ("academic_level", "high-school", "High school"),
    ("academic_level", "undergraduate", "Undergraduate"),
    ("academic_level", "masters", "Master's"),
    ("academic_level", "doctoral", "Doctoral"),
    ("academic_level", "professional", "Professional"),
    ("formatting_style", "apa", "APA"),
    ("formatting_style", "mla", "MLA"),
    ("formatting_style", "chicago", "Chicago"),
    ("formatting_style", "harvard", "Harvard"),
    ("formatting_style", "ieee", "IEEE"),
    ("language", "english-us", "English (US)"),
    ("language", "english-uk", "English (UK)"),
    ("language", "spanish", "Spanish"),
    ("language", "french", "French"),
)

#: Price of one double-spaced page due in 14 days, by academic level's slug.
BASE_RATES: dict[str, Decimal] = {
    "high-school": Decimal("10.00"),
    "undergraduate": Decimal("12.00"),
    "masters": Decimal("15.00"),
    "doctoral": Decimal("18.00"),
    "professional": Decimal("21.00"),
}

#: ``deadline_hours_max`` of each band -> factor on the 14-day rate.
BAND_FACTORS: dict[int, Decimal] = {
    6: Decimal("3.15"),
    12: Decimal("2.60"),
    24: Decimal("2.00"),
    48: Decimal("1.60"),
    72: Decimal("1.35"),
    168: Decimal("1.15"),
    336: Decimal("1.00"),
}

#: ``(slug, name, pricing, amount, description)``.
EXTRAS: tuple[tuple[str, str, str, Decimal, str], ...] = (
    ("plagiarism-report", "Plagiarism report", "fixed", Decimal("9.99"), "A plagiarism check report with the paper."),
    ("top-writer", "Top writer", "percent", Decimal("25.00"), "One of the site's best-rated writers."),
    ("one-page-summary", "1-page summary", "fixed", Decimal("15.00"), "A one-page summary of the paper."),
)


def default_rates() -> dict[tuple[str, int], Decimal]:
    """``{(level slug, deadline_hours_max): price_per_page}`` of the default table."""
    return {
        (level, hours): (base * factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        for level, base in BASE_RATES.items()
        for hours, factor in BAND_FACTORS.items()
    }
