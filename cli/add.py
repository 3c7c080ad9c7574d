"""``ofai-graph add org|person|interaction|followup``: options, or prompts on a terminal."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ofai_graph.model import Axis, FollowUpStatus, InteractionKind, OrgKind, Status

from .common import DATE, App, group, pass_app
from .lang import _N, VocabChoice, _, current
from .output import say

if TYPE_CHECKING:
    from ofai_graph.dates import PartialDate


def _need(value: Any, prompt: str, param: str, **kwargs: Any) -> Any:
    """An option's value; prompt for it on a terminal, else it is a usage error to leave it out."""
    if value not in (None, (), ""):
        return value
    if sys.stdin.isatty():
        return click.prompt(_(prompt), **kwargs)
    raise click.UsageError(_("missing option {option}").format(option=param))


def _split_pairs(values: tuple[str, ...], key: str, second: str) -> list[dict[str, str]]:
    out = []
    for v in values:
        first, _, rest = v.partition(":")
        item = {key: first.strip()}
        if rest.strip():
            item[second] = rest.strip()
        out.append(item)
    return out


def entity_options(f: Any) -> Any:
    """The options organizations and people share: id, name, aliases, countries, tags, note."""
    for option in reversed(
        [
            click.option("--id", "id_", help="Stable id (default: from the name)."),
            click.option("--name", help="Display name, in Spanish."),
            click.option("--alias", multiple=True, help="Acronym or other name (repeatable)."),
            click.option("--country", multiple=True, help="Country code or name (repeatable)."),
            click.option("--tag", multiple=True, help="Free tag (repeatable)."),
            click.option("--note"),
        ]
    ):
        f = option(f)
    return f


def _entity_fields(
    id_: str | None,
    name: str,
    alias: tuple[str, ...],
    country: tuple[str, ...],
    tag: tuple[str, ...],
    note: str | None,
) -> dict[str, Any]:
    from ofai_graph.text import slugify

    return {
        "id": id_ or slugify(name),
        "name": name,
        "aliases": list(alias),
        "countries": list(country),
        "tags": list(tag),
        "note": note,
    }


replace_option = click.option(
    "--replace",
    is_flag=True,
    help="Replace the record with this id if there is one (without it, a different one is an error).",
)


def _write(app: App, record: Any, replace: bool) -> None:
    report = app.workspace().add(record, replace=replace)
    app.emit({"id": record.id, "report": report}, lambda _: None)
    if report.total("added"):
        say(_("added: {id}").format(id=record.id))
    elif report.total("updated"):
        say(_("updated: {id}").format(id=record.id))
    else:
        say(_("unchanged: {id}").format(id=record.id))


@group(
    epilog="""\b
Examples:
  ofai-graph add org --name "Embajada de Corea" --kind foreign_government --country KR
  ofai-graph add interaction --date 2024-05-02 --kind meeting --title "Reunión con JICA" \\
      --participant ofai:organizer --participant JICA:participant
  ofai-graph add followup --description "Respuesta de JICA" --from JICA --due 2024-08"""
)
def add() -> None:
    """Add one record (organization, person, interaction, follow-up); --replace to update one."""


@add.command(
    "org",
    epilog="""\b
Examples:
  ofai-graph add org --name "Embajada de Corea" --kind foreign_government --country KR --alias "Embajada Corea"
  ofai-graph add org            (prompts for what is missing)""",
)
@entity_options
@click.option("--kind", type=VocabChoice(OrgKind), help="What kind of organization.")
@replace_option
@pass_app
def add_org(
    app: App,
    id_: str | None,
    name: str | None,
    kind: str | None,
    alias: tuple[str, ...],
    country: tuple[str, ...],
    tag: tuple[str, ...],
    note: str | None,
    replace: bool,
) -> None:
    """Add an organization (--replace: update it)."""
    from ofai_graph.model import Organization

    name = _need(name, _N("Name"), "--name")
    kind = _need(kind, _N("Kind"), "--kind", type=VocabChoice(OrgKind))
    _write(
        app, _build(Organization, kind=kind, **_entity_fields(id_, name, alias, country, tag, note)), replace
    )


@add.command(
    "person",
    epilog="""\b
Examples:
  ofai-graph add person --name "Myriam Savard" --affiliation "gobierno-quebec:Representante" --country CA""",
)
@entity_options
@click.option("--affiliation", multiple=True, help="ORG[:TITLE] (repeatable).")
@replace_option
@pass_app
def add_person(
    app: App,
    id_: str | None,
    name: str | None,
    affiliation: tuple[str, ...],
    alias: tuple[str, ...],
    country: tuple[str, ...],
    tag: tuple[str, ...],
    note: str | None,
    replace: bool,
) -> None:
    """Add a person (--replace: update them)."""
    from ofai_graph.model import Person

    name = _need(name, _N("Name"), "--name")
    affs = _split_pairs(affiliation, "organization", "title")
    _write(
        app,
        _build(Person, affiliations=affs, **_entity_fields(id_, name, alias, country, tag, note)),
        replace,
    )


@add.command(
    "interaction",
    epilog="""\b
Examples:
  ofai-graph add interaction --date 2024-05-02 --kind meeting --axis cooperation \\
  --title "Reunión con JICA" --participant ofai:organizer --participant JICA:participant""",
)
@click.option("--id", "id_")
@click.option("--date", type=DATE, help="YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY.")
@click.option("--kind", type=VocabChoice(InteractionKind))
@click.option("--axis", type=VocabChoice(Axis))
@click.option("--title")
@click.option("--summary", default="")
@click.option(
    "--participant",
    multiple=True,
    help="ENTITY[:ROLE] (repeatable), e.g. JICA:offerer; the role in either language or as a code.",
)
@click.option("--status", type=VocabChoice(Status), default="done", show_default=True)
@click.option("--tag", multiple=True)
@replace_option
@pass_app
def add_interaction(
    app: App,
    id_: str | None,
    date: PartialDate | None,
    kind: str | None,
    axis: str | None,
    title: str | None,
    summary: str,
    participant: tuple[str, ...],
    status: str,
    tag: tuple[str, ...],
    replace: bool,
) -> None:
    """Add an interaction (meeting, visit, call, application...); --replace: update it."""
    from ofai_graph.model import Interaction

    date = _need(date, _N("Date (YYYY-MM-DD, YYYY-MM or YYYY-Qn)"), "--date", type=DATE)
    kind = _need(kind, _N("Kind"), "--kind", type=VocabChoice(InteractionKind))
    title = _need(title, _N("Title"), "--title")
    if not participant and sys.stdin.isatty():
        participant = tuple(click.prompt(_("Participants (ENTITY[:ROLE], comma-separated)")).split(","))
    if not participant:
        raise click.UsageError(_("missing option {option}").format(option="--participant"))
    parts = _split_pairs(tuple(p for p in participant if p.strip()), "entity", "role")
    _write(
        app,
        _build(
            Interaction,
            # Never another record's id: a hash when the title is lost in the slug, a suffix if taken.
            id=id_ or app.workspace().new_id("interactions", str(date), title),
            date=date,
            kind=kind,
            axis=axis,
            title=title,
            summary=summary,
            participants=parts,
            status=status,
            tags=list(tag),
        ),
        replace,
    )


@add.command(
    "followup",
    epilog="""\b
Examples:
  ofai-graph add followup --description "Respuesta de JICA" --interaction jica-voluntarios-solicitudes \\
  --from JICA --due 2024-08""",
)
@click.option("--id", "id_")
@click.option("--description")
@click.option("--interaction", help="Id of the interaction it follows.")
@click.option("--from", "expected_from", help="Who is expected to deliver.")
@click.option("--owner", help="Who follows it up (default: the home office).")
@click.option("--due", type=DATE, help="YYYY-MM-DD, YYYY-MM or YYYY-Qn: due at the end of that period.")
@click.option(
    "--status", type=VocabChoice(FollowUpStatus), default="open", show_default=True
)
@replace_option
@pass_app
def add_followup(
    app: App,
    id_: str | None,
    description: str | None,
    interaction: str | None,
    expected_from: str | None,
    owner: str | None,
    due: PartialDate | None,
    status: str,
    replace: bool,
) -> None:
    """Add a follow-up (--replace: update it)."""
    from ofai_graph.model import FollowUp

    description = _need(description, _N("What is expected"), "--description")
    owner = owner or app.workspace().home
    _write(
        app,
        _build(
            FollowUp,
            id=id_ or app.workspace().new_id("followups", description),
            description=description,
            interaction=interaction,
            expected_from=expected_from,
            owner=owner,
            due=due,
            status=status,
        ),
        replace,
    )


def _build(model: Any, **fields: Any) -> Any:
    """Validate options into a model; a validation error becomes a clear usage message (exit 2)."""
    from pydantic import ValidationError

    from ofai_graph.errors import render
    from ofai_graph.validation import describe, field_path

    try:
        return model.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            template, params = describe(e, model)
            where = field_path(e, model)
            text = render(template, params, current())
            lines.append(f"{where}: {text}" if where else text)
        raise click.UsageError("; ".join(lines)) from None
