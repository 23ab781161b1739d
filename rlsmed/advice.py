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
    """The iron advice, specific to the patient when ferritin (ng/mL) or transferrin saturation (%) is given."""
    parts: list[str] = []
    if ferritin is not None:
        f = _number(ferritin)
        if ferritin <= 75:
            parts.append(
                f"Ferritin {f} ng/mL is <= 75 ng/mL: the AASM 2025 guideline supports iron therapy (oral or IV)."
            )
        elif ferritin <= 100:
            parts.append(
                f"Ferritin {f} ng/mL is in the 75-100 ng/mL range: the AASM 2025 guideline supports IV iron (not oral)."
            )
        else:
            parts.append(f"Ferritin {f} ng/mL is above 100 ng/mL: ferritin alone does not point to iron therapy.")
    if tsat is not None:
        t = _number(tsat)
        if tsat < 20:
            parts.append(f"Transferrin saturation {t} % is < 20 %: the AASM 2025 guideline supports iron therapy.")
        else:
            parts.append(f"Transferrin saturation {t} % is not below 20 %.")
    if ferritin is None or tsat is None:
        missing = "ferritin" if ferritin is None else "transferrin saturation"
        if ferritin is None and tsat is None:
            return Advice("iron", _GENERAL, (IRON_SOURCE,))
        parts.append(f"Check {missing} too.")
    parts.append("Thresholds are AASM 2025 consensus values (ferritin <= 75 ng/mL or saturation < 20 %).")
    return Advice("iron", " ".join(parts), (IRON_SOURCE,))
