"""The command line in Spanish: every command's output, errors and help in one language, never a code."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from ofai_graph.labels import LABELS
from ofai_graph_cli.main import cli

ENV = {"OFAI_GRAPH_LANG": None, "OFAI_GRAPH_AS_OF": None, "OFAI_GRAPH_BACKEND": None, "NEO4J_URI": None}

# English words of the interface (not of the data): none may reach a Spanish screen.
ENGLISH_UI = """
score scores partner partners route routes weakest link overdue pending due days left expected since until
active yes kind status role title timeline ties tie country entity entities interactions interaction usage
options option commands command show store ready section added updated unchanged nothing matches examples
strength tier reciprocal shared last what how why points source date name counts most quarter first second
third fourth of with from to the and or is are try help global language default today
""".split()
ENGLISH_LABELS = sorted({en for table in LABELS.values() for en, _es in table.values()}, key=len, reverse=True)
CODES = sorted({code for table in LABELS.values() for code in table if "_" in code})
# Data the seed holds in English (aliases, names) that an output may quote verbatim.
DATA_ENGLISH = ("Invest in Santander", "Smart cities agenda", "Expo Tattoo", "Wellness", "Moving For Innovation")


def run(*args, db=None, lang="es"):
    env = dict(ENV)
    if db is not None:
        env["OFAI_GRAPH_DB"] = str(db)
    full = ["--lang", lang, *args] if lang else list(args)
    return CliRunner().invoke(cli, full, env=env, prog_name="ofai-graph", catch_exceptions=False)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("lang") / "seed.db"
    r = run("init", "--seed", db=path)
    assert r.exit_code == 0, r.stderr
    return path


COMMAND_NAMES = {
    name for cmd in [cli, *cli.commands.values()] for name in getattr(cmd, "commands", {})
} | set(cli.commands)


def english_in(text: str) -> list[str]:
    """English labels, interface words and vocabulary codes found in ``text``.

    Not counted: data the seed holds in English (aliases), command names in help listings (they are
    what one types), option names, file names, environment variables, and the CSV column names of
    the import format.
    """
    for quoted in DATA_ENGLISH:
        text = text.replace(quoted, "")
    text = re.sub(r"(?m)^(también|also): .*$", "", text)
    text = re.sub(r"(?m)^(\s+)(" + "|".join(sorted(COMMAND_NAMES, key=len, reverse=True)) + r")(\s)", r"\1\3", text)
    text = re.sub(r"Los archivos CSV[\s\S]*?source_(?:section\.|order)", "", text)
    text = re.sub(r'\{"type": [^}]*\}', "", text)  # a JSON Lines record as typed in a file
    text = re.sub(r"ofai-graph [^\n]*", "", text)  # example command lines keep their English option names
    text = re.sub(r"--[a-z-]+|[A-Z_]{3,}=?\S*|\S+\.(?:db|yaml|json|csv|html|png)\b|https?://\S+", "", text)
    found = [code for code in CODES if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]
    lowered = text.lower()
    found += [w for w in ENGLISH_LABELS if re.search(rf"(?<![\w-]){re.escape(w.lower())}(?![\w-])", lowered)]
    found += [w for w in ENGLISH_UI if re.search(rf"(?<![\w'-]){re.escape(w)}(?![\w'-])", lowered)]
    return found


COMMANDS = [
    ("stats",),
    ("show", "imct"),
    ("show", "Corea"),
    ("show", "julian-andres-diaz-zambrano"),
    ("search", "camara"),
    ("strength",),
    ("strength", "--include-own"),
    ("strength", "ofai", "jica", "--explain"),
    ("strength", "ofai", "imct", "--explain"),
    ("connect", "Corea"),
    ("connect", "JICA", "--k", "2"),
    ("followups",),
    ("followups", "--all"),
    ("followups", "--overdue", "--as-of", "2024-09-01"),
    ("dormant", "--as-of", "2024-12-31", "--include-own"),
    ("brokers", "--top", "3"),
    ("ask", "¿Quién nos conecta con Corea?"),
    ("ask", "¿Qué tan fuerte es la relación con AMCHAM?"),
    ("ask", "¿Qué sabemos de la OIM?"),
    ("ask", "¿Qué está pendiente con JICA?"),
    ("ask", "¿Qué relaciones se están enfriando?", "--as-of", "2024-12-31"),
    ("ask", "¿Quiénes son los intermediarios?"),
    ("ask", "¿Cuándo fue la última reunión con AMCHAM?"),
    ("ask", "¿Qué cámaras de comercio conocemos?"),
    ("ask", "aliados en Japón"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_spanish_output_has_no_english_and_no_codes(db, args):
    r = run(*args, *(("--as-of", "2024-03-31") if "--as-of" not in args else ()), db=db)
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip()
    assert english_in(r.stdout + r.stderr) == [], r.stdout + r.stderr


def test_spanish_output_writes_dates_and_numbers_the_spanish_way(db):
    out = run("strength", "--as-of", "2024-03-31", db=db).stdout
    assert "primer trimestre de 2024" in out and re.search(r"\b0,\d\d\b", out)
    out = run("followups", "--as-of", "2024-03-31", db=db).stdout
    assert "agosto de 2024" in out


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("connect", "--help"),
        ("ask", "--help"),
        ("strength", "--help"),
        ("show", "--help"),
        ("followups", "--help"),
        ("followups", "done", "--help"),
        ("dormant", "--help"),
        ("map", "--help"),
        ("import", "--help"),
        ("stats", "--help"),
        ("search", "--help"),
        ("brokers", "--help"),
        ("neo4j", "--help"),
        ("init", "--help"),
    ],
    ids=lambda a: " ".join(a) or "main",
)
def test_help_is_in_spanish(args):
    r = run(*(args or ("--help",)))
    assert r.exit_code == 0
    assert "Uso:" in r.stdout and "Opciones" in r.stdout
    assert english_in(r.stdout) == [], r.stdout


def test_the_same_help_in_english_after_spanish_in_one_process():
    assert "Muestra este mensaje" in run("connect", "--help").stdout
    english = run("connect", "--help", lang="en").stdout
    assert "Usage:" in english and "Who connects us to TARGET" in english
    assert "Show this message and exit." in english
    assert "Muestra este mensaje" in run("connect", "--help").stdout


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("show", "Organización para el Clima"), 1, "ninguna entidad coincide"),
        (("strength", "--as-of", "2024-13-45"), 2, "el mes 13 no está entre 1 y 12"),
        (("strength", "--as-of", "ayer"), 2, "no es una fecha"),
        (("strength", "--top", "abc"), 2, "'abc' no es un número entero válido"),  # was "integer range"
        (("strength", "ofai", "OFAI"), 1, "nombran ambos a ofai"),
        (("changes", "--since", "2024-02", "--until", "2024-01"), 2, "es anterior a la inicial (1 de febrero de 2024)"),
        (("report", "--quarter", "2024-Q5"), 2, "no es un trimestre: escriba AAAA-Tn"),
        (("export", "--format", "json", "--dynamic"), 2, "--dynamic solo se aplica a gexf y graphml"),
        (("--db", "http://x", "stats"), 1, "dirección de almacén desconocida 'http://x'"),  # was a file "http:/x"
        (("--db", "/dev/null/x.db", "init"), 1, "no se puede crear un almacén en /dev/null/x.db: ya existe un archivo con ese nombre"),
        (("no-such-command",), 2, "No existe el comando"),
        (("connect",), 2, "Falta un argumento"),
        (("ask", "¿Va a llover mañana?"), 1, "No entiendo"),
        (("followups", "done", "no-such-thing"), 1, "ningún seguimiento coincide"),
    ],
)
def test_errors_are_in_spanish(db, args, code, words):
    r = run(*args, db=db)
    assert r.exit_code == code
    assert words in r.stderr, r.stderr
    assert english_in(r.stderr) == [], r.stderr


def test_an_unknown_language_is_a_usage_error_listing_the_languages(db):
    r = run("stats", db=db, lang="fr")
    assert r.exit_code == 2
    assert "'fr'" in r.stderr and "es, en" in r.stderr


def test_the_locale_chooses_spanish_when_nothing_else_does(db):
    env = {**ENV, "OFAI_GRAPH_DB": str(db), "LC_ALL": None, "LC_MESSAGES": None, "LANG": "es_CO.UTF-8"}
    r = CliRunner().invoke(cli, ["stats"], env=env, prog_name="ofai-graph")
    assert r.exit_code == 0 and "Conteos" in r.stdout


def test_a_question_in_spanish_is_answered_in_spanish_whatever_the_language(db):
    r = run("ask", "¿Qué tan fuerte es la relación con AMCHAM?", "--as-of", "2024-03-31", db=db, lang="en")
    assert r.exit_code == 0 and "interacciones en común" in r.stdout
    r = run("ask", "how strong is our relationship with AMCHAM?", "--as-of", "2024-03-31", db=db, lang="es")
    assert r.exit_code == 0 and "shared interactions" in r.stdout


def test_json_output_keeps_codes_for_machines(db):
    import json

    data = json.loads(run("--json", "strength", "--as-of", "2024-03-31", db=db).stdout)
    assert data[0]["tier"] in {"strong", "medium", "weak", "cold"}


def test_staleness_is_one_line_on_stderr_in_the_chosen_language(db):
    r = run("strength", "--as-of", "2026-01-01", db=db)
    warnings = [line for line in r.stderr.splitlines() if "vida media" in line]
    assert r.exit_code == 0 and len(warnings) == 1 and "1 de enero de 2026" in warnings[0]


def test_commands_that_write_speak_spanish(tmp_path):
    from ofai_graph.seeds import seed_files

    db = tmp_path / "w.db"
    steps = [
        ("init", "--seed"),
        ("import", "--dry-run", *map(str, seed_files())),
        ("add", "org", "--name", "Embajada de Corea", "--kind", "foreign_government", "--country", "KR"),
        ("followups", "done", "jica-respuesta-voluntarios", "--note", "Aprobado", "--on", "2024-08-20"),
        ("map", "--out", str(tmp_path / "red.html"), "--as-of", "2024-03-31"),
        ("export", "--out", str(tmp_path / "copia.yaml")),
    ]
    seen = []
    for args in steps:
        r = run(*args, db=db)
        assert r.exit_code == 0, (args, r.stderr)
        seen.append(r.stdout + r.stderr)
        assert english_in(r.stdout + r.stderr) == [], (args, r.stdout + r.stderr)
    text = "\n".join(seen)
    assert "almacén listo" in text and "agregado: embajada-de-corea" in text and "mapa escrito" in text


def test_vocabulary_options_take_words_in_either_language_and_show_the_reader_s(tmp_path):
    db = tmp_path / "v.db"
    assert run("init", "--seed", db=db).exit_code == 0
    base = ("add", "interaction", "--date", "2024-05-02", "--title", "Reunión con JICA", "--participant", "ofai:organizador")
    r = run(*base, "--kind", "reunión", "--axis", "cooperación internacional", "--participant", "JICA:oferente", db=db)
    assert r.exit_code == 0, r.stderr
    r = run(*base, "--kind", "meeting", "--id", "otra", "--participant", "JICA", db=db, lang="en")
    assert r.exit_code == 0, r.stderr
    bad = run(*base, "--kind", "almuerzo", db=db)
    assert bad.exit_code == 2 and "reunión" in bad.stderr and "meeting" not in bad.stderr
    import json

    data = json.loads(run("--json", "show", "jica", db=db).stdout)
    assert "meeting" in {i["kind"] for i in data["timeline"]}  # stored as the code
    helps = run("add", "interaction", "--help").stdout
    assert "mesa de trabajo" in helps and "working_group" not in helps


def test_a_store_that_does_not_exist_is_refused_in_spanish(tmp_path):
    r = run("stats", db=tmp_path / "typo.db")
    assert r.exit_code == 1
    assert "no hay un almacén" in r.stderr and "typo.db" in r.stderr, r.stderr


def test_an_error_answering_a_spanish_question_is_in_spanish(db):
    r = run("ask", "¿cómo llegamos a la Embajada de Narnia?", db=db, lang="en")
    assert r.exit_code == 1 and "Preguntas como estas" in r.stderr, r.stderr


def test_one_strength_number_everywhere_in_the_reader_s_format(db):
    # Gobierno de Corea's strength with the office on 2024-03-31, as each command writes it.
    as_of = ("--as-of", "2024-03-31")
    table = run("strength", *as_of, db=db).stdout
    row = next(line for line in table.splitlines() if "gobierno-corea" in line)
    shown = re.findall(r"\b0,\d+\b", row)
    assert shown == ["0,22"], row
    profile = run("show", "gobierno-corea", *as_of, db=db).stdout
    assert "fuerza con la oficina: 0,22" in profile.lower(), profile
    routes = run("connect", "Corea", *as_of, db=db).stdout
    assert "1. puntaje 0,22:" in routes and "Gobierno de Corea: 0,22 (débil)" in routes, routes
    assert not re.search(r"\b0,\d{3}\b", table + profile + routes)  # never three decimals beside two
    english = run("connect", "Corea", *as_of, db=db, lang="en").stdout
    assert "1. score 0.22:" in english, english


def test_dormant_shows_the_last_contact_at_its_precision(db):
    args = ("dormant", "--as-of", "2024-12-31", "--include-own")
    # Table cells wrap: "primer trimestre de" on one line, "2024" below it.
    es, en = run(*args, db=db).stdout, run(*args, db=db, lang="en").stdout
    assert "primer trimestre de" in es and "first quarter of" in en
    assert "2024-03-31" not in es + en and "2024-Q1" not in es + en
    import json

    rows = json.loads(run("--json", *args, db=db).stdout)
    assert rows and all(r["last_label"] == "2024-Q1" and r["last_interaction"] == "2024-03-31" for r in rows[:3])


def test_a_pair_reads_with_names_and_its_count_in_words(db):
    as_of = ("--as-of", "2024-03-31")
    r = run("strength", "ofai", "myriam-savard", *as_of, db=db)
    head = r.stdout.splitlines()[0]
    # Before: "ofai ↔ myriam-savard: ..., 1 interacciones en común" (ids, and a plural for one).
    assert head.startswith("Oficina Asesora de Asuntos Internacionales (OFAI) ↔ Myriam Savard: 0,16 (débil)"), head
    assert "1 interacción en común" in head
    tie = run("strength", "apc-colombia", "jica", *as_of, db=db).stdout
    assert "… – …" not in tie and "enlace de" in tie  # an undated tie shows no empty span
    # Two countries stand for their entities; these share nothing: said in words, not a table row named "JP".
    r = run("strength", "Corea", "Japón", *as_of, db=db)
    assert r.exit_code == 0 and "Ninguna relación: no comparten interacciones ni vínculos" in r.stderr
    assert "JP" not in r.stdout + r.stderr
    assert english_in(r.stdout + r.stderr + head + tie) == []


def test_a_name_the_store_does_not_know_is_not_answered_with_every_partner(db):
    r = run("ask", "relación con la embajada de Narnia", "--as-of", "2024-03-31", db=db)
    assert r.exit_code == 1 and "nombre una entidad" in r.stderr and r.stdout == "", r.stdout
    r = run("connect", "Red de Mercociudades", "--as-of", "2024-03-31", db=db)
    assert r.exit_code == 0 and "Mercociudades" in r.stdout.splitlines()[0]


@pytest.mark.parametrize(
    "args", [("add",), ("add", "org"), ("add", "interaction"), ("connect",), ("import",), ("map",), ("merge",)]
)
def test_spanish_examples_are_typed_with_spanish_words(args):
    """Examples a Spanish reader copies use the words the help lists ("reunión", "ofai:organizador"),
    which the options accept, not codes ("meeting", "ofai:organizer")."""
    from ofai_graph.model import Axis, InteractionKind, OrgKind, Role

    out = run(*args, "--help").stdout
    examples = out[out.index("Ejemplos:") :]
    kinds = "|".join(m.value for v in (OrgKind, InteractionKind, Axis) for m in v)
    roles = "|".join(m.value for m in Role)
    assert not re.findall(rf"--(?:via-)?(?:kind|axis) (?:{kinds})\b", examples), examples
    assert not re.findall(rf"\w:(?:{roles})\b", examples), examples
    assert not re.search(r"\b(KEEP|DROP|KIND)\b", out) and "[por defecto: (" not in out


def test_a_merge_plan_names_ties_in_words_and_export_usage_errors_in_spanish(db, tmp_path):
    import shutil

    copy = tmp_path / "m.db"
    shutil.copy(db, copy)
    # Before: "vínculos trasladados │ 1 │ apc-colombia--liaison_for--jica" (a tie's id holds its kind's code).
    plan = run("merge", "mercociudades", "jica", "--dry-run", db=copy)
    assert plan.exit_code == 0 and "apc-colombia enlace de jica" in plan.stdout, plan.stdout
    assert "liaison_for" not in plan.stdout and "simulación: no se escribió nada" in plan.stderr
    r = run("export", "--format", "json", "--dynamic", db=copy)
    assert r.exit_code == 2 and "--dynamic solo se aplica a gexf y graphml" in r.stderr, r.stderr
    r = run("export", "--format", "xlsx", db=copy)
    assert r.exit_code == 2 and "indíquelo con --out" in r.stderr
    r = run("export", "--format", "gexf", "--out", str(tmp_path / "r.gexf"), db=copy)
    assert re.search(r"· \d+ nodos, \d+ aristas", r.stderr), r.stderr


def test_closed_follow_ups_say_when_they_were_closed(tmp_path):
    db = tmp_path / "f.db"
    assert run("init", "--seed", db=db).exit_code == 0
    assert run("followups", "done", "jica-respuesta-voluntarios", "--on", "2024-08-20", db=db).exit_code == 0
    r = run("followups", "done", "jica-respuesta-voluntarios", "--note", "Llegó el voluntario", db=db)
    assert "cumplido el 20 de agosto de 2024" in r.stderr, r.stderr  # not today's date
    rows = run("followups", "--all", "--as-of", "2024-08-31", db=db).stdout
    row = next(line for line in rows.splitlines() if "jica-respuesta-voluntarios" in line)
    assert "cumplido el 20 de" in row and "faltan" not in row and "vencido" not in row, row


def test_an_unreachable_neo4j_server_is_reported_in_spanish():
    env = {**ENV, "NEO4J_PASSWORD": "x"}
    r = CliRunner().invoke(
        cli, ["--lang", "es", "--backend", "neo4j", "--neo4j-uri", "bolt://127.0.0.1:1", "stats"], env=env
    )
    assert r.exit_code == 1 and "no se puede conectar con el servidor (no responde)" in r.stderr, r.stderr
    assert "Couldn't" not in r.stderr and "resolved" not in r.stderr


def test_countries_and_employers_are_named_not_coded(db):
    # Before: "persona · CA" and "trabaja en gobierno-quebec"; "países: JP" in a partners table.
    out = run("show", "myriam-savard", "--as-of", "2024-03-31", db=db).stdout
    assert "persona · Canadá" in out and "trabaja en Gobierno de Quebec" in out, out
    table = run("ask", "aliados en Japón", "--as-of", "2024-03-31", db=db).stdout
    assert "Japón" in table and not re.search(r"│\s*JP\s*│", table), table
    english = run("show", "myriam-savard", "--as-of", "2024-03-31", db=db, lang="en").stdout
    assert "person · Canada" in english


def test_last_contact_counts_days_in_words(db):
    r = run("ask", "última reunión con JICA", "--as-of", "2024-04-01", db=db)
    assert "(1 día antes de la fecha de referencia)" in r.stdout, r.stdout  # was "1 days"
    r = run("ask", "¿cuándo vimos a la OIM por última vez?", "--as-of", "2024-03-31", db=db)
    assert "(hasta la fecha de referencia)" in r.stdout, r.stdout  # was "0 días antes"


def test_an_empty_table_says_so(db):
    out = run("changes", "--quarter", "2024-Q1", db=db).stdout
    lost = out[out.index("Relaciones que perdieron fuerza") :]
    assert "(nada)" in lost.split("Rutas hacia países")[0], lost  # before: headers over nothing


def test_no_route_names_the_office_and_the_nearest_entities(db, tmp_path):
    import shutil

    copy = tmp_path / "c.db"
    shutil.copy(db, copy)
    assert run("add", "org", "--name", "Embajada de Suecia", "--kind", "gobierno extranjero", db=copy).exit_code == 0
    r = run("connect", "Embajada de Suecia", "--as-of", "2024-03-31", db=copy)
    assert r.exit_code == 1
    # Before: "Rutas de ofai a ..." and "lo más cercano alcanzable: gobierno-corea, ..." (ids).
    assert r.stdout.startswith("Rutas de Oficina Asesora de Asuntos Internacionales (OFAI) a Embajada de Suecia")
    assert "lo más cercano alcanzable: Gobierno de" in r.stderr and "gobierno-" not in r.stderr, r.stderr


def test_numbers_are_typed_and_ranges_read_with_the_language_s_decimal_sign(db, tmp_path):
    import json

    def scores(*args: str, lang: str = "es") -> list[float]:
        r = run("--json", "duplicates", *args, db=db, lang=lang)
        assert r.exit_code == 0, r.stderr
        return sorted(d["score"] for d in json.loads(r.stdout))

    every = scores("--min-score", "0")
    s = next(x for x in every if x != int(x))  # a score with decimals: 73.5 is neither 73 nor 735
    above, below = f"{s + 0.1:.1f}", f"{s - 0.1:.1f}"
    assert scores("--min-score", below.replace(".", ",")) == scores("--min-score", below, lang="en")
    assert s in scores("--min-score", below.replace(".", ","))
    assert s not in scores("--min-score", above.replace(".", ","))
    es = run("map", "--min-strength", "1,5", "--out", str(tmp_path / "m.html"), db=db)
    assert es.exit_code == 2 and "1,5 no está en el intervalo 0 ≤ x ≤ 1" in es.stderr, es.stderr
    en = run("import", "x.yaml", "--max-size", "nan", db=db, lang="en")
    assert en.exit_code == 2 and "nan is not in the range 0.001 ≤ x ≤ 1,048,576" in en.stderr, en.stderr
    word = run("import", "x.yaml", "--max-size", "mucho", db=db)
    assert word.exit_code == 2 and "'mucho' no es un número válido" in word.stderr, word.stderr
    assert "0,001 ≤ x ≤ 1.048.576" in " ".join(run("import", "--help").stdout.split())


def test_strength_with_a_country_lists_the_office_s_relationships_there(db):
    import json

    r = run("--as-of", "2024-03-31", "strength", "Corea", db=db)
    assert r.exit_code == 0 and "Gobierno de Corea" in r.stdout, r.stderr
    rows = json.loads(run("--json", "--as-of", "2024-03-31", "strength", "ofai", "Corea", db=db).stdout)
    assert "gobierno-corea" in {row["b"] for row in rows} and {row["a"] for row in rows} == {"ofai"}
    none = run("--as-of", "2024-03-31", "strength", "Corea", "Japón", db=db)
    assert none.exit_code == 0 and "Ninguna relación" in none.stdout + none.stderr


@pytest.mark.parametrize(("lang", "shown"), [("es", "9.141"), ("en", "9,141")])
def test_a_count_in_a_table_is_written_as_the_sentences_around_it_write_numbers(lang, shown):
    """A count in a table reads like the counts in the sentences ("1.951 interacciones"), and a year
    or an id given as text is left as it is."""
    from ofai_graph_cli import lang as cli_lang
    from ofai_graph_cli.output import _cell

    cli_lang.use(lang)
    try:
        assert _cell(9141) == shown and _cell(12) == "12" and _cell("2024") == "2024"
        assert _cell(True) == "True" and _cell(None) == ""
    finally:
        cli_lang.use("en")


def test_a_brokers_groups_cut_to_three_say_how_many_more():
    from types import SimpleNamespace

    from ofai_graph_cli import lang as cli_lang
    from ofai_graph_cli.analytics import _groups

    groups = [SimpleNamespace(label=f"G{k}") for k in range(1, 6)]
    cli_lang.use("es")
    try:
        assert _groups(groups[:3]) == "G1 | G2 | G3"
        assert _groups(groups[:4]) == "G1 | G2 | G3 | y 1 grupo más"
        assert _groups(groups) == "G1 | G2 | G3 | y 2 grupos más"
    finally:
        cli_lang.use("en")
    assert _groups(groups) == "G1 | G2 | G3 | and 2 more groups"
