"""ISO 3166-1 alpha-2 country codes, for a product's markets and the `--country` option."""

from __future__ import annotations

__all__ = ["COUNTRIES", "country_code", "country_name", "local_name"]

COUNTRIES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
    BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
    ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
    IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
    NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
    SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
    VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

# Names of the markets the knowledge base mentions (others are shown by their code).
_NAMES = {
    "AE": "United Arab Emirates",
    "AT": "Austria",
    "BR": "Brazil",
    "AU": "Australia",
    "BE": "Belgium",
    "CA": "Canada",
    "CH": "Switzerland",
    "CZ": "Czechia",
    "DE": "Germany",
    "DK": "Denmark",
    "ES": "Spain",
    "FI": "Finland",
    "FR": "France",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "IN": "India",
    "IT": "Italy",
    "MY": "Malaysia",
    "NL": "Netherlands",
    "NO": "Norway",
    "NZ": "New Zealand",
    "PL": "Poland",
    "PT": "Portugal",
    "SA": "Saudi Arabia",
    "SE": "Sweden",
    "US": "United States",
    "ZA": "South Africa",
}


def country_name(code: str) -> str:
    """A country's short English name, or its code when the knowledge base has no name for it."""
    return _NAMES.get(code, code)


# Common ways of writing a country that are not its ISO code.
_NOT_ISO = {"UK": "GB", "EN": "GB", "USA": "US", "EL": "GR"}


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code from what a user wrote ("gb", "GB"); ValueError naming the right code when
    a common other spelling was used ("UK" is GB), or when the code is not a country."""
    code = value.strip().upper()
    if code in COUNTRIES:
        return code
    hint = f" (did you mean {_NOT_ISO[code]}?)" if code in _NOT_ISO else ""
    raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code like GB or US{hint}")


# The United States name their ingredients by USAN, most other countries by the WHO's INN (a British
# Approved Name is the INN now). Where the two differ for a name rlsmed shows, the INN is listed here:
# palliativedrugs.com "Drug names" (Table 1: rINN, BAN and USAN) for alimemazine, chlorphenamine,
# dicycloverine, dosulepin and glibenclamide; the WHO INN for paracetamol, salbutamol, isoprenaline,
# orciprenaline and pethidine; levomepromazine is the INN the knowledge base's methotrimeprazine entry names.
# Canada keeps the US names on its labels (Health Canada's Acetaminophen Labelling Standard).
_US_NAMES = frozenset({"US", "CA"})
_INN = {
    "acetaminophen": "paracetamol",
    "albuterol": "salbutamol",
    "chlorpheniramine": "chlorphenamine",
    "dicyclomine": "dicycloverine",
    "dothiepin": "dosulepin",
    "glyburide": "glibenclamide",
    "isoproterenol": "isoprenaline",
    "meperidine": "pethidine",
    "metaproterenol": "orciprenaline",
    "methotrimeprazine": "levomepromazine",
    "trimeprazine": "alimemazine",
}


def local_name(name: str, country: str) -> str:
    """An ingredient's name as `country` writes it (the US name when no country is given)."""
    if not country or country in _US_NAMES:
        return name
    return _INN.get(name, name)
