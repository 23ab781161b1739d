"""Advice a report adds once when anything is flagged: iron stores (AASM 2025), made specific by lab values."""

from __future__ import annotations

from .report import Advice

__all__ = ["IRON_SOURCE", "iron_advice"]

IRON_SOURCE = (
    "Winkelman JW, et al. Treatment of restless legs syndrome and periodic limb movement disorder: "
    "an AASM clinical practice guideline. J Clin Sleep Med 2025;21(1):137-152. doi:10.5664/jcsm.11390"
)
_GENERAL = (
    "Check ferritin and transferrin saturation (morning sample, no iron supplements for 24 hours). "
    "The AASM 2025 guideline supports iron therapy (oral or IV) when ferritin is <= 75 ng/mL or "
    "transferrin saturation is < 20 %, and IV iron when ferritin is 75-100 ng/mL; these thresholds are "
    "consensus values. Ferritin rises with inflammation, so read it with transferrin saturation."
)


def _number(value: float) -> str:
    return f"{value:g}"


def iron_advice(ferritin: float | None = None, tsat: float | None = None) -> Advice:
    """The iron advice, specific to the patient when ferritin (ng/mL) or transferrin saturation (%) is given.

    AASM 2025: oral or IV iron when ferritin <= 75 ng/mL or saturation < 20 %; IV iron only when ferritin
    is 75-100 ng/mL (and saturation is not low).
    """
    if ferritin is None and tsat is None:
        return Advice("iron", _GENERAL, (IRON_SOURCE,))
    f = f"ferritin {_number(ferritin)} ng/mL" if ferritin is not None else ""
    t = f"transferrin saturation {_number(tsat)} %" if tsat is not None else ""
    low = [
        *([f"{f} is <= 75 ng/mL"] if ferritin is not None and ferritin <= 75 else []),
        *([f"{t} is < 20 %"] if tsat is not None and tsat < 20 else []),
    ]
    if low:
        context = f"with {f}, " if ferritin is not None and ferritin > 75 else ""
        verdict = f"{context}{' and '.join(low)}: the AASM 2025 guideline supports iron therapy (oral or IV)."
    elif ferritin is not None and ferritin <= 100:
        with_t = f", with {t}," if t else ""
        verdict = f"{f}{with_t} is in the 75-100 ng/mL range: the AASM 2025 guideline supports IV iron (not oral)."
    elif ferritin is not None:
        and_t = f" and {t} is not below 20 %" if t else ""
        verdict = f"{f} is above 100 ng/mL{and_t}: these values do not point to iron therapy."
    else:
        verdict = f"{t} is not below 20 %."
    parts = [verdict[0].upper() + verdict[1:]]
    if ferritin is None:
        parts.append("Check ferritin too.")
    elif tsat is None:
        parts.append("Check transferrin saturation too.")
    parts.append("Thresholds are AASM 2025 consensus values (ferritin <= 75 ng/mL or saturation < 20 %).")
    return Advice("iron", " ".join(parts), (IRON_SOURCE,))
