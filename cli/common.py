"""What every command shares: the context object, the global options, the date type, errors.

Command modules import from here (never from each other or from ``main``), so each of them imports on
its own. A new command lives in a module of its own and is written like this::

    import click
    from .common import App, command, pass_app

    @command(epilog="Examples:\\n  ofai-graph report --quarter 2024-Q1")
    @click.option("--quarter")
    @pass_app
    def report(app: App, quarter: str | None) -> None:
        \"\"\"One line of help.\"\"\"
        app.emit(app.workspace().report(quarter, as_of=app.as_of, lang=app.lang), render_report)

and is registered in ``main.py`` with one line, ``cli.add_command(report.report)``. The global options
(``--db``, ``--json``, ``--lang``, ``--as-of``, ``--backend``, ``--neo4j-*``) are added to it when it is
registered, so they are accepted before or after the command name.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from . import output
from .lang import _N, _, current, use

if TYPE_CHECKING:
    from ofai_graph import Workspace


class CliError(click.ClickException):
    """A failure the user can fix (exit 1): one line on stderr, never a traceback."""

    exit_code = 1

    def show(self, file: Any = None) -> None:
        output.say(_("error: {message}").format(message=self.message), style="red")


# The sections of a dataset, as a person reads them (import reports, an interrupted import).
SECTION_NAMES = {
    "entities": _N("entities"),
    "countries": _N("countries"),
    "organizations": _N("organizations"),
    "people": _N("people"),
    "interactions": _N("interactions"),
    "followups": _N("follow-ups"),
    "ties": _N("ties"),
}


# -- numbers ----------------------------------------------------------------------------------------


class _RangeText:
    """A range written as the reader writes numbers: ``0,001 ≤ x ≤ 1.048.576`` in Spanish."""

    def _describe_range(self) -> str:
        from ofai_graph.i18n import format_number

        assert isinstance(self, click.types._NumberRangeBase)
        lang = current()
        parts = []
        if self.min is not None:
            parts.append(f"{format_number(self.min, lang)} {'<' if self.min_open else '≤'} ")
        parts.append("x")
        if self.max is not None:
            parts.append(f" {'<' if self.max_open else '≤'} {format_number(self.max, lang)}")
        return "".join(parts)


class Integer(_RangeText, click.IntRange):
    """A whole number within a range, the range written in the reader's format (``1 ≤ x ≤ 1.000``)."""


class Number(_RangeText, click.FloatRange):
    """A decimal number as either language writes it (``0.1`` or ``0,1``), finite, within a range.

    Click's own float type takes only a decimal point and writes its range with one
    (``0.001<=x<=1048576``); a Spanish user types ``--min-strength 0,1`` and reads ``0,001 ≤ x ≤ 1.048.576``.
    """

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import math

        if isinstance(value, float | int):
            number, shown = float(value), str(value)
        else:
            shown = str(value).strip()
            # One comma and no point is a decimal comma; "1,000.5" keeps click's "not a valid" message.
            text = shown.replace(",", ".") if shown.count(",") == 1 and "." not in shown else shown
            try:
                number = float(text)
            except ValueError:
                message = _("{value!r} is not a valid {number_type}.")
                self.fail(message.format(value=shown, number_type=self.name), param, ctx)
        low, high = self.min, self.max
        if (
            not math.isfinite(number)
            or (low is not None and (number < low or (self.min_open and number == low)))
            or (high is not None and (number > high or (self.max_open and number == high)))
        ):
            message = _("{value} is not in the range {range}.")
            self.fail(message.format(value=shown, range=self._describe_range()), param, ctx)
        return number


# -- dates ------------------------------------------------------------------------------------------


def _error_text(exc: Exception) -> str:
    """What a library error says, in the invocation's language."""
    from ofai_graph.errors import OfaiError

    return exc.message(current()) if isinstance(exc, OfaiError) else str(exc)


class DateType(click.ParamType):
    """A date as the data writes it: ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``.

    ``DateType()`` gives the :class:`~ofai_graph.dates.PartialDate` itself (its precision kept);
    ``DateType("start")`` / ``DateType("end")`` give the first / last day of the period, so
    ``--as-of 2024-Q1`` means 2024-03-31 and ``--since 2024-02`` means 2024-02-01.
    """

    name = "date"

    def __init__(self, bound: Literal["start", "end"] | None = None) -> None:
        self.bound = bound

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from ofai_graph.dates import PartialDate

        if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and self.bound:
            return value
        try:
            d = value if isinstance(value, PartialDate) else PartialDate.parse(value)
        except ValueError as exc:
            # PartialDate's messages name the value and say how to write it; say where a bad one came from.
            message = _error_text(exc)
            if (
                ctx is not None
                and param is not None
                and param.name
                and ctx.get_parameter_source(param.name) is click.core.ParameterSource.ENVIRONMENT
            ):
                message += _(" (from the environment variable {name})").format(name=getattr(param, "envvar", None))
            self.fail(message, param, ctx)
        if self.bound is None:
            return d
        from ofai_graph.dates import reference_day

        day = d.start if self.bound == "start" else d.end
        try:
            # Windows of years are counted back from these days: year 1 would overflow.
            return reference_day(day, value)
        except ValueError as exc:
            self.fail(_error_text(exc), param, ctx)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATE"


class EntityKindType(click.ParamType):
    """An entity kind by code or English/Spanish label ("multilateral", "cámara de comercio",
    "persona"); anything else is a usage error listing the kinds."""

    name = "kind"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from ofai_graph.errors import UnknownValue
        from ofai_graph.resolve import entity_kind

        try:
            return entity_kind(value)
        except UnknownValue as exc:
            self.fail(exc.message(current()), param, ctx)


ENTITY_KIND = EntityKindType()


class AxisType(click.ParamType):
    """A strategic axis by code or Spanish/English name; anything else is a usage error listing them."""

    name = "axis"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from ofai_graph.labels import label
        from ofai_graph.model import Axis
        from ofai_graph.text import quote

        try:
            return Axis(value).value
        except ValueError:
            valid = ", ".join(f"{a.value} ({label(Axis, a, current())})" for a in Axis)
            self.fail(
                _("{value} is not a strategic axis; axes are: {axes}").format(value=quote(value), axes=valid), param, ctx
            )


AXIS = AxisType()
DATE = DateType()
DAY_START = DateType("start")
DAY_END = DateType("end")


# -- the context object -----------------------------------------------------------------------------


@contextmanager
def _rebuild_progress(reason: str) -> Iterator[None]:
    """A question that must rebuild the strength first says why, on stderr, and spins meanwhile."""
    output.say("⚠ " + reason, style="yellow")
    with output.Progress(_("rebuilding relationship strength")):
        yield


@dataclass
class App:
    """The global options of one invocation, and the workspace they open (once, lazily)."""

    db: str | Path | None = None
    backend: str = "sqlite"
    json: bool = False
    lang: str = "en"
    as_of: dt.date | None = None
    """The date of reference given with --as-of or OFAI_GRAPH_AS_OF; None means today."""
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_database: str | None = None
    _ws: Workspace | None = field(default=None, repr=False)

    def workspace(self, *, create: bool = False) -> Workspace:
        """The workspace on the store the options name; only ``init`` passes ``create=True``."""
        if self._ws is None:
            import ofai_graph

            if self.backend == "neo4j":
                self._ws = ofai_graph.Workspace(self.neo4j_store(), lang=self.lang)
            else:
                from ofai_graph.store.base import StoreNotFound

                try:
                    self._ws = ofai_graph.open(self.db, backend="sqlite", create=create, lang=self.lang)
                except StoreNotFound as exc:
                    # The library's message also says how to create one in Python; here, the commands.
                    path = exc.params.get("path", self.db)
                    if self.db is None:
                        raise CliError(
                            _(
                                "no ofai-graph store yet at {path}: create it with `ofai-graph init` "
                                "(or `ofai-graph init --seed` with the bundled report)"
                            ).format(path=path)
                        ) from None
                    raise CliError(
                        _("no ofai-graph store at {path}: create one with `ofai-graph --db {path} init`").format(
                            path=path
                        )
                    ) from None
            self._ws.on_rebuild = _rebuild_progress
        return self._ws

    def neo4j_store(self):  # type: ignore[no-untyped-def]
        """A Neo4j store from the --neo4j-* options and NEO4J_* variables (the caller closes it)."""
        from ofai_graph.store import open_store

        from .neo4j import driver_without_dataframes

        driver_without_dataframes()
        if not self.neo4j_uri:
            raise CliError(_("the neo4j backend needs a server address: --neo4j-uri or NEO4J_URI"))
        return open_store(
            self.neo4j_uri,
            backend="neo4j",
            user=self.neo4j_user,
            password=neo4j_password(self.neo4j_uri),
            database=self.neo4j_database,
        )

    def emit(self, data: Any, human: Callable[[Any], None]) -> None:
        """``data`` as JSON on stdout with --json, else through the ``human`` renderer."""
        output.emit(data, human, as_json=self.json)

    def close(self) -> None:
        if self._ws is not None:
            self._ws.close()
            self._ws = None


pass_app = click.make_pass_decorator(App, ensure=True)


def neo4j_password(uri: str) -> str:
    """From NEO4J_PASSWORD, else a hidden prompt on a terminal: never a command-line argument (ps shows those)."""
    password = os.environ.get("NEO4J_PASSWORD")
    if password is not None:
        return password
    if sys.stdin.isatty():
        return click.prompt(_("Password for {uri}").format(uri=uri), hide_input=True, err=True)
    raise CliError(
        _("no password for {uri}: set NEO4J_PASSWORD (or run on a terminal to be asked)").format(uri=uri)
    )


# -- global options ---------------------------------------------------------------------------------
#
# The same options are attached to the root group (where they read their environment variables) and to
# every command (where they only override what was given before the command name). Their callbacks write
# into the one App of the invocation.


def _set(attr: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> None:
        app = ctx.ensure_object(App)
        # After the command name only what was given counts: an absent option must not undo one given before.
        if value is not None and (ctx.parent is None or value is not False):
            setattr(app, attr, value)

    return callback


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    from ofai_graph.i18n import LANGS, UnknownLanguage, resolve_lang

    app = ctx.ensure_object(App)
    if value is None and ctx.parent is not None:
        return
    try:
        # On the root an absent --lang still resolves: OFAI_GRAPH_LANG, then the locale, then English.
        app.lang = resolve_lang(value)
    except UnknownLanguage:
        given = value or os.environ.get("OFAI_GRAPH_LANG")
        raise click.BadParameter(
            _("unknown language {value!r}: use one of {languages}").format(value=given, languages=", ".join(LANGS)),
            ctx,
            param,
        ) from None
    use(app.lang)


def global_options(*, root: bool) -> list[click.Parameter]:
    """Fresh option objects: on the root with their environment variables, elsewhere without."""

    def env(name: str) -> dict[str, Any]:
        return {"envvar": name, "show_envvar": False} if root else {}

    from ofai_graph.i18n import LANGS

    options: list[click.Parameter] = [
        click.Option(
            ["--db"],
            # Text, not a Path: Path("sqlite:///office.db") would collapse the address to "sqlite:/office.db".
            type=click.Path(dir_okay=False),
            callback=_set("db"),
            expose_value=False,
            help="Store file (embedded backend). Env: OFAI_GRAPH_DB.",
            **env("OFAI_GRAPH_DB"),
        ),
        click.Option(
            ["--json", "json"],
            is_flag=True,
            default=False,
            callback=_set("json"),
            expose_value=False,
            help="Machine-readable JSON on stdout.",
        ),
        click.Option(
            ["--lang"],
            metavar="|".join(LANGS),
            callback=_set_lang,
            expose_value=False,
            help="Language of the output. Env: OFAI_GRAPH_LANG, else the locale (LANG), else English.",
        ),
        click.Option(
            ["--as-of"],
            type=DAY_END,
            callback=_set("as_of"),
            expose_value=False,
            help="Date of reference (YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY: its last day; default: today). "
            "Env: OFAI_GRAPH_AS_OF.",
            **env("OFAI_GRAPH_AS_OF"),
        ),
        click.Option(
            ["--backend"],
            type=click.Choice(["sqlite", "neo4j"]),
            callback=_set("backend"),
            expose_value=False,
            help="Storage backend (default: sqlite). Env: OFAI_GRAPH_BACKEND.",
            **env("OFAI_GRAPH_BACKEND"),
        ),
        click.Option(
            ["--neo4j-uri"],
            callback=_set("neo4j_uri"),
            expose_value=False,
            help="Bolt address of the Neo4j server. Env: NEO4J_URI.",
            **env("NEO4J_URI"),
        ),
        click.Option(
            ["--neo4j-user"],
            callback=_set("neo4j_user"),
            expose_value=False,
            help="Neo4j user (default: neo4j). Env: NEO4J_USERNAME.",
            **env("NEO4J_USERNAME"),
        ),
        click.Option(
            ["--neo4j-database"],
            callback=_set("neo4j_database"),
            expose_value=False,
            help="Database name (default: the server's). Env: NEO4J_DATABASE.",
            **env("NEO4J_DATABASE"),
        ),
    ]
    for option in options:
        option.is_global = True  # type: ignore[attr-defined]
    return options


def _attach_global_options(cmd: click.Command) -> None:
    if not any(getattr(p, "is_global", False) for p in cmd.params):
        cmd.params.extend(global_options(root=False))
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            _attach_global_options(sub)


def _format_options(cmd: click.Command, ctx: click.Context, formatter: click.HelpFormatter) -> None:
    own: list[tuple[str, str]] = []
    shared: list[tuple[str, str]] = []
    for param in cmd.get_params(ctx):
        record = param.get_help_record(ctx)
        shown = getattr(param, "show_default", None)
        if record is not None and isinstance(shown, str):
            # Click writes a default given as text in parentheses: "[por defecto: (realizada)]".
            record = (record[0], record[1].replace(f"({shown})", shown))
        if record is not None and not isinstance(param, click.Argument):
            (shared if getattr(param, "is_global", False) else own).append(record)
    if own:
        with formatter.section(_("Options")):
            formatter.write_dl(own)
    if shared:
        title = _("Global options") if ctx.parent is None else _("Global options (also before the command)")
        with formatter.section(title):
            formatter.write_dl(shared)


class OfaiCommand(click.Command):
    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_options(self, ctx, formatter)


class LazyCommands(MutableMapping[str, click.Command]):
    """A group's commands by name, each imported from its module the first time it is asked for.

    A command's module imports what the command needs (the library's models, the map builder, the
    workbook readers...): ``ofai-graph connect`` should not pay for ``map``'s. ``specs`` maps a name
    to ``"module:attribute"`` (a module of this package); ``extra`` maps a group's name to the
    subcommands defined in other modules, ``{"add": "add:add_followup"}``. Iterating gives every name
    without importing anything (``--help`` and "no such command" list them; the short help of each,
    in the listing, imports them all).
    """

    def __init__(self, group: OfaiGroup, specs: dict[str, str], extra: dict[str, dict[str, str]] | None = None):
        self.group = group
        self.specs = dict(specs)
        self.extra = extra or {}
        self.loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        cmd = self.loaded.get(name)
        if cmd is not None:
            return cmd
        spec = self.specs.get(name)
        if spec is None:
            raise KeyError(name)
        cmd = _load(spec)
        for sub, sub_spec in self.extra.get(name, {}).items():
            assert isinstance(cmd, click.Group)
            cmd.add_command(_load(sub_spec), sub)
        self.group.add_command(cmd, name)  # (the global options; stored in self.loaded)
        from .lang import localize

        localize(cmd, current())  # (the group's texts were translated before this one was loaded)
        return cmd

    def __setitem__(self, name: str, cmd: click.Command) -> None:
        self.loaded[name] = cmd

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self.loaded.pop(name, None)
        self.specs.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self.loaded or name in self.specs

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self.specs, *self.loaded]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*self.specs, *self.loaded]))


def _load(spec: str) -> click.Command:
    import importlib

    module, attribute = spec.split(":")
    cmd = getattr(importlib.import_module(f"{__package__}.{module}"), attribute)
    assert isinstance(cmd, click.Command)
    return cmd


class OfaiGroup(click.Group):
    """A group whose commands accept the global options; library errors become a clear message, exit 1."""

    command_class = OfaiCommand
    group_class = type  # subgroups are OfaiGroups too

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _attach_global_options(cmd)
        super().add_command(cmd, name)

    def add_lazy_commands(self, specs: dict[str, str], extra: dict[str, dict[str, str]] | None = None) -> None:
        """Commands imported when first used (see :class:`LazyCommands`)."""
        lazy = LazyCommands(self, specs, extra)
        for name, cmd in self.commands.items():
            lazy.loaded[name] = cmd
        self.commands = lazy

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The default store's place depends on the environment (XDG_DATA_HOME) when help is shown.
        from ofai_graph.store import user_db_path

        original = self.epilog
        if original and "{store}" in original:
            self.epilog = original.replace("{store}", _shown_path(user_db_path()))
        try:
            super().format_epilog(ctx, formatter)
        finally:
            self.epilog = original

    def main(self, args: Any = None, prog_name: str | None = None, *rest: Any, **extra: Any) -> Any:
        """Choose the language before click reads anything: help texts and click's words follow it."""
        from .lang import language_from_argv, localize

        lang = language_from_argv(list(sys.argv[1:] if args is None else args))
        use(lang)
        localize(self, lang)
        return super().main(args, prog_name, *rest, **extra)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        if parent is not None:
            return super().make_context(info_name, args, parent, **extra)
        with quiet_broken_pipe():  # --help piped into head
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        if ctx.parent is not None:
            return self._invoke(ctx)
        with quiet_broken_pipe():
            result = self._invoke_root(ctx)
            sys.stdout.flush()  # here, where a closed pipe is caught, not at interpreter exit
            return result

    def _invoke_root(self, ctx: click.Context) -> Any:
        import warnings

        from ofai_graph.workspace import StaleAsOf

        # The library warns when the as-of date is long after the data; here that is one line on stderr.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", StaleAsOf)
            failed = True
            try:
                result = self._invoke(ctx)
                failed = False
                return result
            finally:
                # It explains an answer; a command that failed has none, and its error stays one line.
                stale = [] if failed else [w for w in caught if issubclass(w.category, StaleAsOf)]
                for message in dict.fromkeys(str(w.message) for w in stale):
                    output.say("⚠ " + message, style="yellow")
                for w in caught:
                    if not issubclass(w.category, StaleAsOf):
                        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)

    def _invoke(self, ctx: click.Context) -> Any:
        from ofai_graph.errors import OfaiError
        from ofai_graph.interrupts import Interrupted

        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise  # the reader of stdout went away: not a file problem (see quiet_broken_pipe)
        except OfaiError as exc:
            # An answer to a question speaks the question's language, its errors too.
            raise CliError(exc.message(getattr(exc, "language", None) or current())) from None
        except OSError as exc:
            # A file the command had to read or write (--out, --db, a settings file): one line, no traceback.
            name = f" {exc.filename}" if exc.filename else ""
            if isinstance(exc, FileExistsError | NotADirectoryError) and exc.filename and Path(exc.filename).is_file():
                raise CliError(_("cannot use{name} as a folder: it is a file").format(name=name)) from None
            raise CliError(_("cannot use{name}: {reason}").format(name=name, reason=exc.strerror or exc)) from None
        except Interrupted as exc:
            # The importer knows whether its transaction committed: say exactly that.
            if exc.committed and exc.report is not None:
                from .lang import num

                done = ", ".join(
                    _("{section}: {added} added, {updated} updated").format(
                        section=_(SECTION_NAMES.get(name, name)), added=num(s.added, 0), updated=num(s.updated, 0)
                    )
                    for name, s in exc.report.sections.items()
                    if s.added or s.updated
                )
                output.say(
                    _("interrupted after the import was committed; it wrote {done}").format(
                        done=done or _("no changes")
                    )
                )
            else:
                output.say(_("interrupted; the import was rolled back: nothing was written"))
            sys.exit(130)
        except KeyboardInterrupt:
            # Every write is one transaction: one cut short is rolled back, one already committed stays.
            output.say(_("interrupted; a write in progress was rolled back (committed writes stay)"))
            sys.exit(130)


def _shown_path(path: Path) -> str:
    """``path`` with the home directory written ``~``, as people type it."""
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


@contextmanager
def quiet_broken_pipe() -> Iterator[None]:
    """A reader that stops early (``ofai-graph ... | head -1``) is not a failure: exit 0, quietly.

    Click would exit 1 on EPIPE; Python would complain again when it flushes stdout at exit, so
    stdout is pointed at the null device first (the recipe in Python's ``signal`` documentation).
    """
    try:
        yield
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass  # not a real file (a test runner's buffer): nothing will flush it at exit
        raise click.exceptions.Exit(0) from None


def command(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], OfaiCommand]:
    """``click.command`` for this CLI (help with a "Global options" section)."""
    return click.command(name, cls=OfaiCommand, **attrs)  # type: ignore[return-value]


def group(name: str | None = None, **attrs: Any) -> Callable[[Callable[..., Any]], OfaiGroup]:
    """``click.group`` for this CLI: its commands accept the global options too."""
    return click.group(name, cls=OfaiGroup, **attrs)  # type: ignore[return-value]
