"""The quality report and the audit as one self-contained HTML page each, in Dutch or English.

The page holds its styles and charts (inline SVG) itself: no script, font, image or link to
anything outside, so it opens offline and in a locked-down browser. Every text from the data
(ids, names, group labels) is escaped.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from diagnose._base import LEVELS
from diagnose.quality._instrument import ALPHA_MINIMUM
from diagnose.quality._svg import LEVEL_COLOURS, Bar, bars, stacked

if TYPE_CHECKING:
    from diagnose._base import Language
    from diagnose.knowledge._base import KnowledgeBase
    from diagnose.quality._instrument import InstrumentQuality, QualityWarning
    from diagnose.quality._models import AuditFlag, FairnessAudit

__all__ = ["audit_html", "quality_html"]

#: Every text of the pages: the Dutch, then the English.
WORDS: dict[str, tuple[str, str]] = {
    "quality_title": ("Kwaliteit van het instrument", "Quality of the instrument"),
    "audit_title": ("Fairness-audit", "Fairness audit"),
    "quality_note": (
        (
            "Dit rapport toetst het instrument: meten de vragen van een factor samen hetzelfde, en hangen de "
            "niveaus samen met uitkomsten? Het is geen score van een persoon en mag nooit gebruikt worden om "
            "mensen te rangschikken of te selecteren."
        ),
        (
            "This report validates the instrument: do the items of a factor measure it together, and do its "
            "levels relate to outcomes? It is no score of any person and must never be used to rank or "
            "select people."
        ),
    ),
    "audit_note": (
        (
            "Deze audit toetst het instrument en het gebruik ervan per groep. De groepen zijn alleen "
            "voor de audit aangeleverd en komen nooit in een intake, een regel of een diagnose. Kleine "
            "groepen worden niet getoond. Het is geen score van een persoon en mag nooit gebruikt "
            "worden om mensen te rangschikken of te selecteren."
        ),
        (
            "This audit checks the instrument and how it is used, per group. The groups were supplied "
            "for the audit only and never enter an intake, a rule or a diagnosis. Small groups are not "
            "shown. It is no score of any person and must never be used to rank or select people."
        ),
    ),
    "kb": ("Kennisbank", "Knowledge base"),
    "intakes": ("intakes", "intakes"),
    "diagnoses": ("diagnoses", "diagnoses"),
    "warnings": ("Aandachtspunten", "Points to check"),
    "no_warnings": ("Geen aandachtspunten.", "Nothing to check."),
    "alpha_chart": (
        "Cronbachs alfa per factor (95%-interval), tegen 0,7",
        "Cronbach's alpha per factor (95% interval), against 0.7",
    ),
    "levels_chart": ("Verdeling over de niveaus per factor", "Distribution over the levels per factor"),
    "floor_chart": (
        "Antwoorden aan de onderkant (vloer) per vraag",
        "Answers at the bottom (floor) per item",
    ),
    "ceiling_chart": (
        "Antwoorden aan de bovenkant (plafond) per vraag",
        "Answers at the top (ceiling) per item",
    ),
    "factors": ("Factoren", "Factors"),
    "items": ("Vragen", "Items"),
    "factor": ("Factor", "Factor"),
    "item": ("Vraag", "Item"),
    "n": ("n", "n"),
    "too_few": ("te weinig gevallen", "too few cases"),
    "suppressed": ("niet getoond (kleine groep)", "not shown (small group)"),
    "not_asked": ("niet gevraagd", "not asked"),
    "declined": ("wil niet zeggen", "declined"),
    "unknown": ("weet niet", "unknown"),
    "floor": ("vloer", "floor"),
    "ceiling": ("plafond", "ceiling"),
    "item_rest": ("item-rest", "item-rest"),
    "alpha_if_deleted": ("alfa zonder", "alpha if deleted"),
    "validity": ("Samenhang met uitkomsten", "Relation to outcomes"),
    "outcome": ("Uitkomst", "Outcome"),
    "auc": ("AUC (95%-interval)", "AUC (95% interval)"),
    "suggestion": ("Voorstel voor grenzen (niet toegepast)", "Suggested thresholds (not applied)"),
    "suggestion_note": (
        "Een voorstel voor de auteurs van de kennisbank; het wordt nooit automatisch toegepast.",
        "A suggestion for the knowledge base's authors; it is never applied automatically.",
    ),
    "advice_chart": (
        "Aandeel met dit advies per groep (95%-interval)",
        "Share advised this per group (95% interval)",
    ),
    "decline_chart": (
        "Aandeel afgewezen advies per groep (95%-interval)",
        "Share of advice declined per group (95% interval)",
    ),
    "flags": ("Signalen", "Flags"),
    "no_flags": ("Geen signalen.", "No flags."),
    "flags_equal": (
        "Bij gelijke factorniveaus (kijk hier eerst: de regels zien geen groepen)",
        "At equal factor levels (look here first: the rules cannot see groups)",
    ),
    "flags_items": ("Vragen die per groep anders werken", "Items that behave differently per group"),
    "flags_raw": (
        "Ruwe verschillen (kunnen ook uit verschil in ondersteuningsbehoefte komen)",
        "Raw differences (a difference in need for support can explain these too)",
    ),
    "groups": ("Groepen", "Groups"),
    "reference": ("referentiegroep", "reference group"),
    "dif": ("Vragen per groep (DIF, Mantel-Haenszel)", "Items per group (DIF, Mantel-Haenszel)"),
    "odds": ("odds-ratio", "odds ratio"),
    "class": ("ETS-klasse", "ETS class"),
    "level_low": ("laag", "low"),
    "level_medium": ("midden", "medium"),
    "level_high": ("hoog", "high"),
    "current": ("huidig", "current"),
    "mean": ("gemiddelde", "mean"),
}

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:2rem auto;max-width:60rem;
color:#1d1d1d;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
.note{background:#eef4fb;border-left:4px solid #3b6ea5;padding:.6rem 1rem}
.meta{color:#555}table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}th{background:#f4f4f4}
td:first-child,th:first-child,td.t{text-align:left}ul.warn li{margin:.2rem 0}
.legend span{display:inline-block;width:.9rem;height:.9rem;margin:0 .3rem 0 1rem;vertical-align:middle}
figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.3rem}
"""


def _w(key: str, lang: Language) -> str:
    nl, en = WORDS[key]
    return escape(nl if lang == "nl" else en)


def _page(title: str, body: list[str], lang: Language) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        + "".join(body)
        + "</body></html>"
    )


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption>{caption}</figcaption>{svg}</figure>"


def _name(kb: KnowledgeBase, factor: str, lang: Language) -> str:
    return kb.factors[factor].name.get(lang) if factor in kb.factors else factor


def _legend(lang: Language) -> str:
    return (
        '<p class="legend">'
        + "".join(
            f'<span style="background:{LEVEL_COLOURS[level]}"></span>{_w("level_" + level, lang)}'
            for level in LEVELS
        )
        + "</p>"
    )


#: Dutch texts of the warnings and flags (the models carry the English `message`).
_NL_WARNINGS = {
    "low_alpha": "factor '{factor}': alfa {value:.2f} is lager dan 0,7",
    "low_omega": "factor '{factor}': omega {value:.2f} is lager dan 0,7",
    "negative_item_rest": (
        "vraag '{item}' hangt negatief ({value:.2f}) samen met de rest van '{factor}'; "
        "controleer de omkering (reverse) en de formulering"
    ),
    "floor": "vraag '{item}': {value:.0%} van de antwoorden aan de onderkant van de schaal",
    "ceiling": "vraag '{item}': {value:.0%} van de antwoorden aan de bovenkant van de schaal",
    "too_few_cases": (
        "factor '{factor}': {value:.0f} volledige gevallen, te weinig; de cijfers worden niet getoond"
    ),
    "omega_not_estimated": "factor '{factor}': het eenfactormodel kon niet worden geschat; geen omega",
}


#: Smaller p-values are shown as "p < 0,001".
_P_SHOWN = 0.001


def _warning_text(warning: QualityWarning, kb: KnowledgeBase, lang: Language) -> str:
    if lang == "en":
        return warning.message
    del kb
    return _NL_WARNINGS[warning.code].format(
        factor=warning.factor, item=warning.item, value=warning.value or 0
    )


def _flag_text(flag: AuditFlag, kb: KnowledgeBase, lang: Language) -> str:
    if lang == "en":
        return flag.message
    group, other = flag.groups
    (g_count, g_n), (o_count, o_n) = flag.counts[group], flag.counts[other]
    p = ""
    if flag.p_value is not None:
        p = ", p < 0,001" if flag.p_value < _P_SHOWN else f", p = {flag.p_value:.2g}".replace(".", ",")
    name = ""
    if flag.intervention is not None:
        found = kb.interventions.get(flag.intervention)
        name = found.name.nl if found is not None else flag.intervention
    counts = f"({g_count} van {g_n} tegen {o_count} van {o_n})"
    ratio = f"{flag.ratio:.2f}".replace(".", ",")
    texts = {
        "advice_rate": f"'{name}': groep '{group}' krijgt dit advies {ratio} keer zo vaak als '{other}' "
        f"{counts}, onder vier vijfde",
        "acceptance_rate": f"'{name}': het advies wordt bij groep '{group}' {ratio} keer zo vaak "
        f"aanvaard als bij '{other}' {counts}, onder vier vijfde",
        "advice_at_equal_levels": f"'{name}': bij gelijke factorniveaus krijgt groep '{group}' dit advies "
        f"{ratio} keer zo vaak als '{other}'{p}; de regels zien geen groepen: kijk naar de "
        "beslissingen of de vragen",
        "decline_at_equal_levels": f"'{name}': bij gelijke factorniveaus wordt het advies bij groep "
        f"'{group}' {ratio} keer zo vaak afgewezen als bij '{other}'{p}; de regels zien geen groepen: kijk "
        "naar de beslissingen",
        "item_functioning": f"vraag '{flag.item}': bij gelijke factorscore antwoordt groep '{group}' met "
        f"{ratio} keer de odds van '{other}' gunstig{p}; controleer formulering en vertaling",
    }
    return texts[flag.kind]


def quality_html(report: InstrumentQuality, kb: KnowledgeBase, lang: Language) -> str:
    """The quality report as one self-contained HTML page.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> page = quality_html(diagnose.instrument_quality([], knowledge_base=kb), kb, "en")
        >>> page.startswith("<!DOCTYPE html>") and "<script" not in page
        True
    """
    title = _w("quality_title", lang)
    kb_text = escape(
        f"{report.knowledge_base_id} {report.knowledge_base_version} ({report.knowledge_base_hash[:19]})"
    )
    meta = (
        f"{_w('kb', lang)}: {kb_text} - {report.rows} {_w('intakes', lang)}, minimum n = {report.min_cases}"
    )
    body = [
        f"<h1>{title}</h1>",
        f'<p class="meta">{meta}</p>',
        f'<p class="note">{_w("quality_note", lang)}</p>',
        f"<h2>{_w('warnings', lang)}</h2>",
    ]
    if report.warnings:
        body.append(
            '<ul class="warn">'
            + "".join(f"<li>{escape(_warning_text(w, kb, lang))}</li>" for w in report.warnings)
            + "</ul>"
        )
    else:
        body.append(f"<p>{_w('no_warnings', lang)}</p>")
    factors = list(report.factors.values())
    alpha_bars = [
        Bar(
            _name(kb, f.factor, lang),
            f.alpha,
            low=f.alpha_ci[0] if f.alpha_ci else None,
            high=f.alpha_ci[1] if f.alpha_ci else None,
            colour="#3b6ea5" if (f.alpha or 0) >= ALPHA_MINIMUM else "#c0392b",
            missing=WORDS["too_few"][lang == "en"],
        )
        for f in factors
    ]
    body.append(f"<h2>{_w('factors', lang)}</h2>")
    body.append(
        _figure(
            _w("alpha_chart", lang),
            bars(alpha_bars, title=WORDS["alpha_chart"][lang == "en"], line=ALPHA_MINIMUM, percent=False),
        )
    )
    levels = [(_name(kb, f.factor, lang), f.level_shares) for f in factors]
    body.append(
        _figure(
            _w("levels_chart", lang),
            stacked(levels, title=WORDS["levels_chart"][lang == "en"], missing=WORDS["too_few"][lang == "en"])
            + _legend(lang),
        )
    )
    head = ["factor", "n"]
    body.append(
        "<table><tr>"
        + "".join(f"<th>{_w(h, lang)}</th>" for h in head)
        + f"<th>alpha</th><th>95%</th><th>omega</th><th>{_w('mean', lang)}</th><th>sd</th></tr>"
        + "".join(
            f"<tr><td>{escape(_name(kb, f.factor, lang))}</td><td>{f.n}</td><td>{_num(f.alpha)}</td>"
            f"<td>{_num(f.alpha_ci[0]) + ' - ' + _num(f.alpha_ci[1]) if f.alpha_ci else '-'}</td>"
            f"<td>{_num(f.omega)}</td><td>{_num(f.mean)}</td><td>{_num(f.sd)}</td></tr>"
            for f in factors
        )
        + "</table>"
    )
    body.append(f"<h2>{_w('items', lang)}</h2>")
    items = list(report.items.values())
    too_few = WORDS["too_few"][lang == "en"]
    body.append(
        _figure(
            _w("floor_chart", lang),
            bars(
                [Bar(i.item, i.floor, missing=too_few) for i in items],
                title=WORDS["floor_chart"][lang == "en"],
                high=0.5,
                line=0.15,
            ),
        )
    )
    body.append(
        _figure(
            _w("ceiling_chart", lang),
            bars(
                [Bar(i.item, i.ceiling, missing=too_few) for i in items],
                title=WORDS["ceiling_chart"][lang == "en"],
                high=0.5,
                line=0.15,
            ),
        )
    )
    columns = [
        "item",
        "factor",
        "n",
        "not_asked",
        "declined",
        "unknown",
        "floor",
        "ceiling",
        "item_rest",
        "alpha_if_deleted",
    ]
    body.append(
        "<table><tr>"
        + "".join(f"<th>{_w(c, lang)}</th>" for c in columns)
        + "</tr>"
        + "".join(
            f"<tr><td>{escape(i.item)}{' (R)' if i.reverse else ''}</td>"
            f"<td class='t'>{escape(_name(kb, i.factor, lang))}</td>"
            + "".join(
                f"<td>{cell}</td>"
                for cell in (
                    i.n,
                    _pct(i.missing_rate),
                    _pct(i.declined_rate),
                    _pct(i.unknown_rate),
                    _pct(i.floor),
                    _pct(i.ceiling),
                    _num(i.item_rest),
                    _num(i.alpha_if_deleted),
                )
            )
            + "</tr>"
            for i in items
        )
        + "</table>"
    )
    body.extend(_validity(report, kb, lang))
    return _page(WORDS["quality_title"][lang == "en"], body, lang)


def _validity(report: InstrumentQuality, kb: KnowledgeBase, lang: Language) -> list[str]:
    if not report.validity:
        return []
    body = [f"<h2>{_w('validity', lang)}</h2>", f'<p class="note">{_w("suggestion_note", lang)}</p>']
    for outcome, per_factor in report.validity.items():
        rows = []
        for v in per_factor.values():
            rates = " / ".join(_pct(v.level_rates[level].rate) for level in LEVELS)
            s = v.suggested_thresholds
            suggestion = "-"
            if s is not None and s.better:
                now = f"{_w('current', lang)} {s.current_medium:.3g} / {s.current_high:.3g}"
                suggestion = f"{s.medium:.3g} / {s.high:.3g} ({now})"
            ci = f" ({_num(v.auc_ci[0])} - {_num(v.auc_ci[1])})" if v.auc_ci else ""
            rows.append(
                f"<tr><td>{escape(_name(kb, v.factor, lang))}</td><td>{v.n}</td><td>{_num(v.auc)}{ci}</td>"
                f"<td>{rates}</td><td>{escape(suggestion)}</td></tr>"
            )
        levels = " / ".join(_w("level_" + level, lang) for level in LEVELS)
        body.append(
            f"<h3>{_w('outcome', lang)}: {escape(outcome)}</h3><table><tr><th>{_w('factor', lang)}</th>"
            f"<th>n</th><th>{_w('auc', lang)}</th><th>{escape(outcome)}: {levels}</th>"
            f"<th>{_w('suggestion', lang)}</th></tr>" + "".join(rows) + "</table>"
        )
    return body


def audit_html(audit: FairnessAudit, kb: KnowledgeBase, lang: Language) -> str:
    """The fairness audit as one self-contained HTML page.

    Examples:
        >>> import diagnose
        >>> kb = diagnose.load_knowledge_base()
        >>> page = audit_html(diagnose.fairness_audit([], []), kb, "nl")
        >>> '<html lang="nl">' in page and "<script" not in page
        True
    """
    kb_text = escape(f"{audit.knowledge_base_id} {audit.knowledge_base_version}")
    count = f"{audit.diagnoses} {_w('diagnoses', lang)}, minimum n = {audit.min_group_size}"
    meta = f"{_w('kb', lang)}: {kb_text} - {count}"
    body = [
        f"<h1>{_w('audit_title', lang)}</h1>",
        f'<p class="meta">{meta}</p>',
        f'<p class="note">{_w("audit_note", lang)}</p>',
        f"<h2>{_w('groups', lang)}</h2><table><tr><th>{_w('groups', lang)}</th><th>n</th></tr>"
        + "".join(
            f"<tr><td>{escape(g)}{' (' + _w('reference', lang) + ')' if g == audit.reference else ''}</td>"
            f"<td>{n if n is not None else _w('suppressed', lang)}</td></tr>"
            for g, n in audit.groups.items()
        )
        + "</table>",
        f"<h2>{_w('flags', lang)}</h2>",
    ]
    equal = [f for f in audit.flags if f.kind in {"decline_at_equal_levels", "advice_at_equal_levels"}]
    items = [f for f in audit.flags if f.kind == "item_functioning"]
    raw = [f for f in audit.flags if f.kind in {"acceptance_rate", "advice_rate"}]
    if not audit.flags:
        body.append(f"<p>{_w('no_flags', lang)}</p>")
    for key, flags in (("flags_equal", equal), ("flags_items", items), ("flags_raw", raw)):
        if flags:
            body.append(f"<h3>{_w(key, lang)}</h3>")
            body.append(
                '<ul class="warn">'
                + "".join(f"<li>{escape(_flag_text(f, kb, lang))}</li>" for f in flags)
                + "</ul>"
            )
    suppressed = WORDS["suppressed"][lang == "en"]
    for intervention, by_group in audit.advice_rates.items():
        name = (
            kb.interventions[intervention].name.get(lang)
            if intervention in kb.interventions
            else intervention
        )
        rows = [
            Bar(g, r.rate if r else None, r.low if r else None, r.high if r else None, missing=suppressed)
            for g, r in by_group.items()
        ]
        body.append(f"<h2>{escape(name)}</h2>")
        body.append(
            _figure(
                _w("advice_chart", lang), bars(rows, title=f"{name}: {WORDS['advice_chart'][lang == 'en']}")
            )
        )
        decided = (audit.decision_rates or {}).get(intervention)
        if decided:
            rows = [
                Bar(
                    g,
                    d.declined if d else None,
                    d.declined_low if d else None,
                    d.declined_high if d else None,
                    colour="#8e44ad",
                    missing=suppressed,
                )
                for g, d in decided.items()
            ]
            body.append(
                _figure(
                    _w("decline_chart", lang),
                    bars(rows, title=f"{name}: {WORDS['decline_chart'][lang == 'en']}"),
                )
            )
    if audit.item_functioning:
        body.append(
            f"<h2>{_w('dif', lang)}</h2><table><tr><th>{_w('item', lang)}</th><th>{_w('groups', lang)}</th>"
            f"<th>{_w('odds', lang)}</th><th>p</th><th>{_w('class', lang)}</th></tr>"
            + "".join(
                f"<tr><td>{escape(i.item)}</td><td>{escape(i.group)} / {escape(i.reference)}</td>"
                f"<td>{_num(i.odds_ratio)}</td><td>{_num(i.p_value, 3)}</td><td>{i.ets_class}</td></tr>"
                for i in audit.item_functioning
            )
            + "</table>"
        )
    return _page(WORDS["audit_title"][lang == "en"], body, lang)
