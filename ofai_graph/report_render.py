"""The report as Markdown (notebooks, version control) and as one self-contained HTML file.

Both walk the same :class:`~ofai_graph.report.Report` through :func:`sections`, so the formats
say the same things in the same order. Every text from the data is escaped: HTML with
:func:`html.escape`, Markdown by backslash-escaping the characters that would become markup. The
HTML map is an ``<img>`` with an SVG data URI: it needs no network and cannot run scripts.

>>> import ofai_graph
>>> ws = ofai_graph.open(":memory:")
>>> _ = ws.import_data({"organizations": [{"id": "ofai", "name": "OFAI", "kind": "home_office"}]})
>>> print(to_markdown(ws.report("2024-Q1", include_map=False)).splitlines()[0])
# Informe de gestión: primer trimestre de 2024
"""

from __future__ import annotations

import base64
import html
import re

from .i18n import format_date, format_number, format_strength, gettext_for
from .report import Action, Pending, Report

__all__ = [
    "figures_rows",
    "md",
    "participants_text",
    "pending_text",
    "strength_lines",
    "to_html",
    "to_markdown",
]


def _signed(n: int, lang: str) -> str:
    return ("+" if n > 0 else "") + format_number(n, lang)


def figures_rows(report: Report) -> tuple[list[str], list[list[str]]]:
    """The figures table: header and one row per line, plus a total row."""
    _ = gettext_for(report.lang)
    lang = report.lang
    header = [
        _("Strategic line"),
        _("Actions"),
        _("Previous quarter"),
        _("Partners"),
        _("New partners"),
        _("Partners, previous quarter"),
    ]
    rows = []
    tot = [0, 0, 0, 0, 0]
    for line in report.lines:
        f = line.figures
        vals = [f.actions, f.previous_actions, f.partners, f.new_partners, f.previous_partners]
        tot = [a + b for a, b in zip(tot, vals, strict=True)]
        rows.append(
            [
                f"{line.number}. {line.title}",
                format_number(f.actions, lang),
                f"{format_number(f.previous_actions, lang)} ({_signed(f.actions - f.previous_actions, lang)})",
                format_number(f.partners, lang),
                format_number(f.new_partners, lang),
                format_number(f.previous_partners, lang),
            ]
        )
    rows.append(
        [
            _("Total"),
            format_number(tot[0], lang),
            f"{format_number(tot[1], lang)} ({_signed(tot[0] - tot[1], lang)})",
            # Partners of several lines count once in the office's total.
            format_number(
                len({p for a in report.actions for p in (x.id for x in a.participants)} - {report.office_id}),
                lang,
            ),
            format_number(len(report.changes.new_partners), lang),
            "",
        ]
    )
    return header, rows


def participants_text(action: Action) -> str:
    return "; ".join(f"{p.name} ({', '.join(p.roles)})" for p in action.participants)


def pending_text(p: Pending) -> str:
    return f"{p.description}. {p.text}"


def strength_lines(report: Report, rows: list, empty: str) -> list[str]:
    lang = report.lang
    _ = gettext_for(lang)
    out = []
    for r in rows:
        because = "; ".join(f"{i.title} ({format_date(i.date, lang)})" for i in r.interactions[:3])
        line = _("{name}: {before} → {after}").format(
            name=r.name,
            before=format_strength(r.before, lang),
            after=format_strength(r.after, lang),
        )
        if because:
            line += " — " + _("because of: {items}").format(items=because)
        elif r.last:
            line += " — " + _("last shared interaction: {date}").format(date=format_date(r.last, lang))
        out.append(line)
    return out or [empty]


# -- Markdown ----------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START = re.compile(r"^(\s*)([#+=-]|\d+[.)])")


def md(text: str) -> str:
    """Markdown-escaped text: what the data says shows as text, never as markup.

    >>> md("<b>x</b> *y* [z](http://e)")
    '\\\\<b\\\\>x\\\\</b\\\\> \\\\*y\\\\* \\\\[z\\\\](http://e)'
    """
    flat = _MD_SPECIAL.sub(r"\\\1", text.replace("\r", " ").replace("\n", " "))
    # What would start a list or a heading at the start of a line is escaped there only.
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), flat)


def to_markdown(report: Report, *, map_href: str | None = None) -> str:
    """The report as Markdown; the map is linked at ``map_href`` (a file written beside it) if given."""
    _ = gettext_for(report.lang)
    staff, action_word = _("Staff"), _("Action")
    lang = report.lang
    out: list[str] = [f"# {_('Management report')}: {md(report.period_label)}", ""]
    cover = [f"**{md(report.office_name)}**"]
    if report.parent_name:
        cover.append(md(report.parent_name))
    out += ["  \n".join(cover), ""]
    for h in report.heads:
        out.append(f"- {md(h.title or staff)}: {md(h.name)}")
    if report.heads:
        out.append("")
    out += [
        f"## {_('Objective')}",
        "",
        md(report.objective),
        "",
        f"## {_('Mission')}",
        "",
        md(report.mission),
        "",
    ]
    out += [f"## {_('Figures of the quarter')}", ""]
    header, rows = figures_rows(report)
    out.append("| " + " | ".join(md(h) for h in header) + " |")
    out.append("|" + "---|" * len(header))
    for r in rows:
        out.append("| " + " | ".join(md(c) for c in r) + " |")
    out.append("")
    out += [f"## {_('Management report')} {md(report.period_label)}", ""]
    if report.empty:
        out += [_("No actions were recorded in this quarter."), ""]
    for line in report.lines:
        if not line.actions and line.axis is None:
            continue
        out += [f"### {line.number}. {md(line.title)}", ""]
        if not line.actions:
            out += [_("No actions in this line this quarter."), ""]
        for a in line.actions:
            out += [f"#### {action_word}: {md(a.title)}", ""]
            out.append(f"- **{_('Date')}:** {md(a.date_label)}")
            for s in a.steps:
                what = s.summary or s.title
                out.append(f"- **{md(s.kind_label.capitalize())}** ({md(s.date_label)}): {md(what)}")
            out.append(f"- **{_('Participants')}:** {md(participants_text(a))}")
            if a.subjects:
                out.append(f"- **{_('About')}:** {md('; '.join(p.name for p in a.subjects))}")
            out.append(f"- **{_('Status')}:** {md(a.status_label)}")
            for p in a.pending:
                out.append(f"- **{_('Pending')}:** {md(pending_text(p))}")
            out.append("")
    out += [f"## {_('Follow-ups')}", "", f"### {_('Due next quarter')}", ""]
    out += [f"- {md(pending_text(p))}" for p in report.followups_next] or [_("None.")]
    out += ["", f"### {_('Overdue at the end of the quarter')}", ""]
    out += [f"- {md(pending_text(p))}" for p in report.followups_overdue] or [_("None.")]
    out += ["", f"## {_('Relationships')}", "", f"### {_('Grew')}", ""]
    out += [f"- {md(x)}" for x in strength_lines(report, report.grew, "")] if report.grew else [_("None.")]
    out += ["", f"### {_('Went cold')}", ""]
    out += (
        [f"- {md(x)}" for x in strength_lines(report, report.cooled, "")] if report.cooled else [_("None.")]
    )
    if report.changes.routes_new:
        out += ["", f"### {_('New routes to countries')}", ""]
        for route in report.changes.routes_new:
            country = route.name_es if lang == "es" else route.name_en
            out.append(f"- {md(country)}: {md(' → '.join(route.names))}")
    if not report.map_included:
        out.append("")
        return "\n".join(out)
    out += ["", f"## {_('Network of the quarter')}", ""]
    if report.map_svg and map_href:
        out.append(f"![{md(_('Network of the quarter'))}]({map_href})")
    elif report.map_svg:
        out.append(_("The map is in the HTML and Word versions of this report."))
    elif report.map_note:
        out.append(md(report.map_note))
    else:
        out.append(_("No relationships to draw this quarter."))
    out.append("")
    return "\n".join(out)


# -- HTML --------------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
header.cover{border-bottom:3px solid #0b5394;margin-bottom:1.5rem;padding-bottom:1rem}
header.cover .org{font-size:.95rem;text-transform:uppercase;letter-spacing:.05em;color:#0b5394}
h1{margin:.2rem 0}h2{color:#0b5394;border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
h3{margin-top:1.6rem}h4{margin:1.2rem 0 .4rem}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eef3f9}td.n{text-align:right}
dl.action{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem;margin:0}
dl.action dt{font-weight:600}dl.action dd{margin:0}
.pending{color:#8a4b00}.overdue{color:#b00020;font-weight:600}
figure img{max-width:100%;height:auto;border:1px solid #ddd}
"""


def to_html(report: Report) -> str:
    """The report as one HTML file: inline style and map, no scripts, no network."""
    _ = gettext_for(report.lang)
    staff, action_word = _("Staff"), _("Action")
    lang = report.lang
    e = html.escape
    title = f"{_('Management report')}: {report.period_label}"
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{e(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # No script, no fetch: the policy says so to the browser too.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">",
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        '<header class="cover">',
    ]
    if report.parent_name:
        out.append(f'<div class="org">{e(report.parent_name)}</div>')
    out.append(f"<h1>{e(_('Management report'))}</h1>")
    out.append(f"<p><strong>{e(report.period_label.capitalize())}</strong></p>")
    out.append(f"<p>{e(report.office_name)}</p>")
    if report.heads:
        out.append(
            "<ul>" + "".join(f"<li>{e(h.title or staff)}: {e(h.name)}</li>" for h in report.heads) + "</ul>"
        )
    out.append("</header>")
    out += [f"<h2>{e(_('Objective'))}</h2><p>{e(report.objective)}</p>"]
    out += [f"<h2>{e(_('Mission'))}</h2><p>{e(report.mission)}</p>"]
    header, rows = figures_rows(report)
    out.append(f"<h2>{e(_('Figures of the quarter'))}</h2><table><thead><tr>")
    out.append("".join(f"<th>{e(h)}</th>" for h in header) + "</tr></thead><tbody>")
    for r in rows:
        out.append(
            "<tr><td>" + e(r[0]) + "</td>" + "".join(f'<td class="n">{e(c)}</td>' for c in r[1:]) + "</tr>"
        )
    out.append("</tbody></table>")
    out.append(f"<h2>{e(_('Management report'))} {e(report.period_label)}</h2>")
    if report.empty:
        out.append(f"<p>{e(_('No actions were recorded in this quarter.'))}</p>")
    for line in report.lines:
        if not line.actions and line.axis is None:
            continue
        out.append(f'<section class="line"><h3>{line.number}. {e(line.title)}</h3>')
        if not line.actions:
            out.append(f"<p>{e(_('No actions in this line this quarter.'))}</p>")
        for a in line.actions:
            out.append(f'<article class="action"><h4>{e(action_word)}: {e(a.title)}</h4><dl class="action">')
            out.append(f"<dt>{e(_('Date'))}</dt><dd>{e(a.date_label)}</dd>")
            for s in a.steps:
                out.append(
                    f"<dt>{e(s.kind_label.capitalize())}</dt><dd>{e(s.summary or s.title)} "
                    f"<small>({e(s.date_label)})</small></dd>"
                )
            out.append(f"<dt>{e(_('Participants'))}</dt><dd>{e(participants_text(a))}</dd>")
            if a.subjects:
                out.append(f"<dt>{e(_('About'))}</dt><dd>{e('; '.join(p.name for p in a.subjects))}</dd>")
            out.append(f"<dt>{e(_('Status'))}</dt><dd>{e(a.status_label)}</dd>")
            for p in a.pending:
                cls = "overdue" if p.overdue else "pending"
                out.append(f'<dt>{e(_("Pending"))}</dt><dd class="{cls}">{e(pending_text(p))}</dd>')
            out.append("</dl></article>")
        out.append("</section>")
    out.append(f"<h2>{e(_('Follow-ups'))}</h2>")
    for head, items, cls in (
        (_("Due next quarter"), report.followups_next, "pending"),
        (_("Overdue at the end of the quarter"), report.followups_overdue, "overdue"),
    ):
        out.append(f"<h3>{e(head)}</h3>")
        out.append(_ul([pending_text(p) for p in items], _("None."), cls))
    out.append(f"<h2>{e(_('Relationships'))}</h2>")
    out.append(
        f"<h3>{e(_('Grew'))}</h3>"
        + _ul(strength_lines(report, report.grew, _("None.")) if report.grew else [], _("None."))
    )
    out.append(
        f"<h3>{e(_('Went cold'))}</h3>"
        + _ul(strength_lines(report, report.cooled, _("None.")) if report.cooled else [], _("None."))
    )
    if report.changes.routes_new:
        routes = [
            f"{r.name_es if lang == 'es' else r.name_en}: {' → '.join(r.names)}"
            for r in report.changes.routes_new
        ]
        out.append(f"<h3>{e(_('New routes to countries'))}</h3>" + _ul(routes, ""))
    if report.map_included:
        out.append(f"<h2>{e(_('Network of the quarter'))}</h2>")
        if report.map_svg:
            uri = "data:image/svg+xml;base64," + base64.b64encode(report.map_svg.encode("utf-8")).decode(
                "ascii"
            )
            out.append(f'<figure><img src="{uri}" alt="{e(_("Network of the quarter"))}"></figure>')
        elif report.map_note:
            out.append(f"<p>{e(report.map_note)}</p>")
        else:
            out.append(f"<p>{e(_('No relationships to draw this quarter.'))}</p>")
    out.append(
        f"<footer><small>{e(_('Generated from the store on {date}.').format(date=format_date(report.generated_on, lang)))}"
        "</small></footer></body></html>"
    )
    return "\n".join(out) + "\n"


def _ul(items: list[str], empty: str, cls: str = "") -> str:
    e = html.escape
    if not items:
        return f"<p>{e(empty)}</p>"
    attr = f' class="{cls}"' if cls else ""
    return f"<ul{attr}>" + "".join(f"<li>{e(x)}</li>" for x in items) + "</ul>"
