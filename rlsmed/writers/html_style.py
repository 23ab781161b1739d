"""The stylesheet of the HTML report: one page on screen, A4 or Letter on paper (the printer's paper size:
the margins and widths fit both), in colours that keep a contrast of at least 4.5:1 on white and never
carry meaning alone (each coloured label also says its level in words)."""

from __future__ import annotations

__all__ = ["COLOURS", "STYLE"]

# Text colours on white (tests/test_html.py checks each one's contrast).
COLOURS = {
    "ink": "#1a1a1a",
    "muted": "#4d4d4d",
    "strong": "#a30000",
    "moderate": "#9c3d00",
    "weak": "#6e5200",
    "expert": "#3d3d3d",
    "augmentation": "#6a1b7a",
    "verify": "#7a4500",
    "link": "#0b4f9c",
}

_VARIABLES = "".join(f"--{name}:{value};" for name, value in COLOURS.items())

STYLE = (
    ":root{"
    + _VARIABLES
    + "color-scheme:light}"
    + """
*{box-sizing:border-box}
html{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);
background:#fff}
body{margin:0 auto;max-width:62rem;padding:1.5rem 1.5rem 3rem}
h1{font-size:1.4rem;margin:0 0 .8rem}
h2{font-size:1.12rem;margin:1.6rem 0 .5rem;padding-bottom:.15rem;border-bottom:2px solid var(--ink);break-after:avoid}
h3{font-size:1rem;margin:1rem 0 .35rem;break-after:avoid}
a{color:var(--link)}
p{margin:.4rem 0}
.fields{display:grid;grid-template-columns:3fr 2fr;gap:.7rem 2rem;margin:0 0 .8rem}
.fields label{display:flex;gap:.5rem;align-items:baseline;font-weight:600}
.fields input{flex:1;min-width:0;border:0;border-bottom:1px solid var(--ink);font:inherit;font-weight:400;
background:transparent;color:var(--ink);padding:0 .2rem}
.run{color:var(--muted);font-size:.87rem}
.headline{font-size:1.1rem;font-weight:700;margin:1rem 0;padding:.5rem .8rem;border:2px solid var(--ink);
border-left-width:6px}
.note{color:var(--verify)}
table{border-collapse:collapse;width:100%;margin:.3rem 0 .6rem}
th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #b3b3b3}
thead th{font-size:.85rem;border-bottom:2px solid var(--ink)}
thead{display:table-header-group}
tr{break-inside:avoid}
td.line{white-space:nowrap;color:var(--muted);width:3.5rem}
span.drug,td.effect{white-space:nowrap}
th.drug{min-width:9rem;width:24%}
.full{display:block;color:var(--muted);font-size:.85rem}
.level{display:inline-block;white-space:nowrap;font-weight:700;font-size:.85rem;padding:0 .35rem;border:1px solid;
border-radius:3px}
.strong{color:var(--strong)}.moderate{color:var(--moderate)}.weak{color:var(--weak)}.expert{color:var(--expert)}
.augmentation{color:var(--augmentation);font-weight:700}.mixed{color:var(--weak)}
.verify{display:block;color:var(--verify);font-weight:600;font-size:.85rem}
.ignored{display:block;color:var(--muted);font-style:italic;font-size:.85rem}
tr.is-ignored td,tr.is-ignored th{color:var(--muted)}
.drug-note{margin:0 0 .9rem}
.drug-note dt,.drug-note dd,.drug-note li{break-inside:avoid}
.drug-note h3 .kind{font-weight:400;color:var(--muted)}
.drug-note dl{display:grid;grid-template-columns:10rem 1fr;gap:.15rem .8rem;margin:.2rem 0}
.drug-note dt{font-weight:700}
.drug-note dd{margin:0}
.drug-note ol{margin:0;padding-left:1.2rem;font-size:.82rem;color:var(--muted)}
.source{color:var(--muted);font-size:.87rem}
footer{margin-top:2rem;break-inside:avoid}
.disclaimer{font-weight:600}
.signature{display:grid;grid-template-columns:2fr 2fr 1fr;gap:2rem;margin-top:3rem;break-inside:avoid}
.signature div{border-top:1px solid var(--ink);padding-top:.25rem;font-size:.85rem}
@page{margin:14mm 13mm 16mm}
@media print{
html{font-size:9.5pt}
body{max-width:none;padding:0}
a{color:inherit;text-decoration:none}
h2{margin-top:1.1rem}
.fields input{border-bottom-color:#000}
}
@media (max-width:40rem){.fields{grid-template-columns:1fr}.drug-note dl{grid-template-columns:1fr}}
"""
)
