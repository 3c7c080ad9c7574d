"""The words :mod:`ofai_graph.ask` understands, in Spanish and English.

Data only, so that adding a synonym is a one-line change: ``CUES`` maps each action to its cue
phrases per language with a weight, ``STOP`` holds the words that say nothing, ``MARKERS`` the words
that tell the two languages apart, ``COMMON_WORDS`` everyday nouns that are neither cues nor names
(so they are never read as typos of a cue or as a near-miss of an entity's name), and ``EXAMPLES``
one question per action in each language, shown when a question is not understood.
"""

from __future__ import annotations

# Synonym sets per action and language: (phrase, weight). A phrase's words must appear in order, with
# at most two other words between two of them. Weights: 3 or more names the intent on its own, 2 is a
# strong hint, 1 a weak one. The language of a cue also counts as evidence of the question's language.
# fmt: off
CUES: dict[str, dict[str, list[tuple[str, float]]]] = {
    "connect": {
        "en": [
            ("connect", 3), ("connects", 3), ("connecting", 3), ("connection", 2.5), ("connections", 2),
            ("introduce", 3), ("introduces", 3), ("introduction", 3), ("introductions", 3), ("reach", 3),
            ("route", 3), ("routes", 3), ("path", 3), ("paths", 3), ("referral", 3), ("get to", 2.5),
            ("get in touch with", 3), ("put us in touch", 3), ("in touch with", 2), ("link us", 3),
            ("links us", 3), ("knows someone", 3), ("know someone", 3), ("someone in", 2), ("anyone in", 2),
            ("door to", 2), ("open doors", 3), ("way into", 2.5), ("access to", 2), ("approach", 3), ("put us in contact", 3.5), ("in contact with", 2.5),
            ("way in", 3), ("get us a meeting", 3.5), ("contact at", 3), ("contact in", 2.5),
            ("direct line", 3), ("go through", 3), ("through whom", 3), ("help us", 2), ("people in", 2),
            ("knows people", 3), ("reach out", 3), ("help us reach", 3),
        ],
        "es": [
            ("conecta", 3), ("conectan", 3), ("conectar", 3), ("conectarnos", 3), ("conectamos", 3),
            ("conexion", 2.5), ("conexiones", 2), ("presenta", 3), ("presentar", 3), ("presentarnos", 3),
            ("presentaria", 3), ("introducir", 3), ("introducirnos", 3), ("llegar", 3), ("llegamos", 3),
            ("llegariamos", 3), ("ruta", 3), ("rutas", 3), ("camino", 3), ("caminos", 3), ("acerca", 2),
            ("acercar", 3), ("acercarnos", 3), ("contactar", 2.5), ("contactarnos", 3),
            ("conoce alguien", 3), ("conoce a alguien", 3), ("alguien en", 2), ("puerta", 2),
            ("puertas", 2), ("abrir", 1.5), ("enlace con", 2.5), ("contacto en", 3), ("linea directa", 3),
            ("a traves de quien", 3), ("nos ayuda", 2), ("nos ayuda a llegar", 3.5), ("conoce", 2),
            ("conoce gente", 3), ("gente en", 2), ("enlazar", 3), ("referido", 2.5), ("referencia", 2),
        ],
    },
    "strength": {
        "en": [
            ("strong", 3), ("strength", 3), ("strongest", 3), ("stronger", 3), ("close", 2), ("closest", 3),
            ("closer", 2), ("relationship", 2), ("relationships", 1.5), ("relation", 2), ("relations", 1.5),
            ("score", 3), ("top partners", 3), ("best partners", 3), ("main partners", 3),
            ("key partners", 3), ("how good", 2), ("how well", 2), ("tie with", 2), ("bond", 2),
            ("solid", 2), ("tier", 3), ("how are we doing with", 2.5), ("how are things with", 2.5),
            ("standing", 3), ("how tight", 3), ("tight", 2.5), ("get along", 3), ("top", 2.5), ("rate", 2),
            ("best relationship", 3), ("where do we stand", 3.5), ("stand with", 3),
        ],
        "es": [
            ("fuerte", 3), ("que tanto", 2), ("nos conoce", 1.5), ("nos conocen", 1.5), ("fuertes", 3), ("fuerza", 3), ("fortaleza", 3), ("relacion", 2),
            ("relaciones", 1.5), ("cercana", 2.5), ("cercanos", 2.5), ("cercanas", 2.5), ("cercano", 2.5),
            ("cercania", 3), ("que tan", 1.5), ("mejores aliados", 3), ("principales aliados", 3),
            ("mejores socios", 3), ("principales socios", 3), ("aliados clave", 3), ("solida", 2),
            ("puntaje", 3), ("vinculo", 2), ("nivel", 1.5), ("como vamos con", 2.5),
            ("como estamos con", 2.5), ("estrecha", 2.5), ("buena", 1), ("nos llevamos", 3),
            ("llevamos", 2.5), ("top aliados", 3), ("mejor relacion", 3), ("como esta la relacion", 3),
            ("situacion con", 2.5), ("como estamos", 2.5),
        ],
    },
    "show": {
        "en": [
            ("tell me about", 3), ("who is", 2), ("what is", 1), ("what do we know", 3), ("know about", 2),
            ("info", 2.5), ("information", 2.5), ("profile", 3), ("details", 3), ("detail", 2.5),
            ("about", 1), ("describe", 3), ("show", 2.5), ("overview", 2.5), ("summary", 2),
            ("everything", 1.5),
        ],
        "es": [
            ("quien es", 2), ("que es", 1), ("que sabemos", 3), ("sabemos", 2), ("cuentame", 3),
            ("cuenteme", 3), ("hablame", 3), ("informacion", 2.5), ("perfil", 3), ("datos", 2),
            ("detalles", 3), ("muestrame", 2.5), ("muestra", 2.5), ("mostrar", 2.5), ("ficha", 3),
            ("resumen", 2), ("todo sobre", 2.5), ("sobre", 1), ("acerca de", 1.5), ("quienes son", 1.5),
        ],
    },
    "followups": {
        "en": [
            ("pending", 3), ("follow up", 3), ("follow ups", 3), ("followup", 3), ("followups", 3),
            ("to do", 2.5), ("tasks", 2.5), ("task", 2), ("open items", 3), ("waiting for", 2.5),
            ("waiting", 2), ("outstanding", 3), ("next steps", 3), ("due", 2), ("upcoming", 2.5),
            ("deadlines", 2.5), ("owe", 2), ("expect", 1.5), ("open", 1), ("still open", 3),
            ("on our plate", 3.5), ("have to do", 3), ("still have to", 3), ("what remains", 2.5),
            ("open with", 3),
        ],
        "es": [
            ("nos toca", 3), ("toca hacer", 3), ("tenemos que hacer", 3), ("pendiente", 3),
            ("pendientes", 3), ("seguimiento", 3), ("seguimientos", 3), ("tareas", 2.5), ("compromisos", 3),
            ("esperando", 2.5), ("esperamos", 2), ("falta", 2), ("queda", 1.5), ("proximos pasos", 3),
            ("pasos", 1.5), ("pendiente con", 3), ("por hacer", 2.5), ("pronto", 1), ("pendientes con", 3),
            ("debemos", 2), ("abiertos", 2), ("pendientes abiertos", 3), ("vence", 2), ("vencen", 2),
            ("plazos", 2.5),
        ],
    },
    "overdue": {
        "en": [
            ("overdue", 4), ("late", 3), ("behind", 2.5), ("delayed", 3), ("past due", 4), ("missed", 3),
            ("expired", 3), ("miss", 3), ("passed", 2.5), ("slip", 3), ("let slip", 3.5), ("dropped", 2.5),
            ("lagging", 3), ("slipped", 3), ("deadline passed", 4), ("behind schedule", 4),
        ],
        "es": [
            ("vencieron", 4), ("vencio", 4), ("vencido", 4), ("vencidos", 4), ("vencida", 4),
            ("vencidas", 4), ("atrasado", 4), ("atrasados", 4), ("atrasada", 4), ("atrasadas", 4),
            ("retrasado", 4), ("retrasados", 4), ("retraso", 3.5), ("retrasos", 3.5), ("tarde", 2.5),
            ("plazo vencido", 4), ("se vencio", 4), ("se vencieron", 4), ("incumplido", 3.5),
            ("incumplidos", 3.5), ("demorado", 3), ("demorados", 3), ("colgados", 2),
        ],
    },
    "dormant": {
        "en": [
            ("cold", 4), ("colder", 4), ("going cold", 4), ("lost touch", 4), ("lose touch", 4),
            ("dormant", 4), ("inactive", 4), ("neglected", 4), ("neglecting", 4), ("quiet", 3),
            ("forgotten", 3.5), ("drifting", 3.5), ("faded", 3.5), ("fading", 3.5), ("not talked", 3),
            ("havent talked", 3.5), ("no contact", 3), ("cooling", 4), ("cooled", 4), ("cooled down", 4), ("cooled off", 4), ("lapsed", 3.5), ("revive", 3),
            ("reactivate", 3), ("forget", 3), ("forgot", 3), ("losing", 3.5), ("slipping", 3.5),
            ("slipping away", 4), ("long time", 2.5), ("in a while", 2.5),
        ],
        "es": [
            ("enfriando", 4), ("enfrian", 4), ("enfriado", 4), ("enfriaron", 4), ("enfriadas", 4), ("enfrio", 4),
            ("enfria", 4),
            ("frias", 4), ("frios", 4), ("fria", 3.5), ("frio", 3.5), ("perdido contacto", 4),
            ("perdimos contacto", 4), ("perdido el contacto", 4), ("perdimos", 2.5), ("inactivos", 4),
            ("inactivas", 4), ("inactiva", 4), ("olvidado", 3.5), ("olvidados", 3.5), ("olvidadas", 3.5),
            ("abandonado", 3.5), ("abandonadas", 3.5), ("descuidado", 4), ("descuidados", 4),
            ("descuidadas", 4), ("dormidas", 4), ("dormidos", 4), ("sin contacto", 4), ("no hablamos", 2.5),
            ("reactivar", 3), ("retomar", 3), ("apagadas", 3.5), ("dejamos de hablar", 4), ("alejado", 3),
            ("olvidamos", 3.5), ("apagaron", 4), ("apagado", 3.5), ("se apagaron", 4), ("perdiendo", 3.5),
            ("hace mucho", 2.5), ("hace rato", 2.5), ("alejados", 3), ("alejando", 3),
        ],
    },
    "brokers": {
        "en": [
            ("broker", 4), ("brokers", 4), ("bridge", 4), ("bridges", 4), ("bridging", 4),
            ("intermediary", 4), ("intermediaries", 4), ("go between", 4), ("connectors", 4),
            ("connector", 4), ("key players", 3.5), ("hubs", 3.5), ("hub", 3), ("between groups", 4),
            ("across groups", 4), ("central", 2.5), ("most connected", 4), ("gatekeepers", 4),
            ("betweenness", 4), ("connect groups", 4), ("different groups", 3), ("groups", 1.5),
            ("communities", 1.5),
        ],
        "es": [
            ("intermediario", 4), ("intermediarios", 4), ("intermediaria", 4), ("intermediarias", 4),
            ("puente", 4), ("puentes", 4), ("conectores", 4), ("articuladores", 4), ("articulador", 4),
            ("actores clave", 3.5), ("entre grupos", 4), ("une grupos", 4), ("mas conectados", 4),
            ("centrales", 2.5), ("nodos clave", 4), ("enlazan grupos", 4), ("conectan grupos", 4),
            ("distintos grupos", 3), ("grupos", 1.5), ("comunidades", 1.5),
        ],
    },
    "last_contact": {
        "en": [
            ("last", 2.5), ("last time", 3.5), ("when", 2), ("lately", 2), ("recently", 2),
            ("most recent", 3), ("latest", 2.5), ("met", 2), ("meet", 1.5), ("spoke", 2), ("talked", 2),
            ("heard from", 2.5), ("how long since", 3.5), ("how long ago", 3.5), ("since when", 2.5),
            ("last contact", 4), ("last interaction", 4), ("last meeting", 4),
        ],
        "es": [
            ("ultima", 2.5), ("ultimo", 2.5), ("ultima vez", 3.5), ("cuando", 2), ("recientemente", 2),
            ("reunimos", 2), ("reunion", 1), ("hablamos", 1.5), ("vimos", 2), ("contactamos", 2),
            ("supimos", 2), ("hace cuanto", 3.5), ("desde cuando", 3), ("ultimo contacto", 4),
            ("ultima reunion", 4), ("ultima interaccion", 4), ("tuvimos contacto", 3),
        ],
    },
    "partners": {
        "en": [
            ("partners in", 3.5), ("allies in", 3.5), ("which partners", 3), ("what partners", 3),
            ("partners", 1.5), ("allies", 1.5), ("do we know", 2.5), ("do we have", 2),
            ("we work with", 2.5), ("list", 2), ("list of", 2), ("which", 1), ("organizations in", 3),
            ("entities in", 3), ("contacts in", 3), ("who do we know", 3), ("based in", 2.5), ("from", 0.5),
            ("all", 1),
        ],
        "es": [
            ("aliados en", 3.5), ("socios en", 3.5), ("que aliados", 3), ("cuales aliados", 3),
            ("aliados", 1.5), ("socios", 1.5), ("conocemos", 2.5), ("tenemos", 1.5), ("tenemos en", 2.5),
            ("trabajamos con", 2.5), ("lista", 2), ("listado", 2), ("cuales", 1), ("organizaciones en", 3),
            ("entidades en", 3), ("contactos en", 3), ("a quien conocemos", 3), ("con sede en", 2.5),
            ("de", 0.2), ("todas", 1), ("todos", 1), ("organizaciones", 1), ("entidades", 1),
            ("contrapartes", 2),
        ],
    },
    "changes": {
        "en": [
            ("changed", 4), ("changes", 4), ("change", 3), ("whats new", 4), ("new", 2), ("news", 3),
            ("since last quarter", 4), ("this quarter", 2), ("difference", 3), ("different from", 3.5),
            ("since the last report", 4), ("compared", 3), ("moved", 2),
        ],
        "es": [
            ("ultimo informe", 3), ("cambios", 4), ("cambio", 3.5), ("cambiado", 4), ("cambiaron", 4),
            ("novedades", 4), ("nuevo", 2), ("de nuevo", 3), ("desde el trimestre", 4),
            ("trimestre pasado", 3.5), ("diferencia", 3), ("comparado", 3), ("que paso", 2),
        ],
    },
}
# fmt: on

# Words that say nothing about the intent or the subject, and decide the language.
STOP = {
    "en": set(
        "a an the of to in on at for with by from and or is are was were be been being do does did done "
        "we us our ours you your i me my it its this that these those who whom whose what which how why "
        "when where there here have has had can could would should will shall may might must please any "
        "some someone anyone one ones s t d ll re ve m let give get got currently now still again also "
        "just so than then about into onto over up down out off very much many more most lot".split()
    ),
    "es": set(
        "a al ante bajo con contra de del desde durante en entre hacia hasta para por segun sin sobre tras "
        "el la los las lo un una unos unas y o u e ni que quien quienes cual cuales como cuando donde cuanto "
        "cuanta cuantos cuantas es son esta estan estamos fue fueron ser estar hay ha han hemos he tiene "
        "tienen tenemos tengo nos nuestro nuestra nuestros nuestras mi mis me te se le les su sus yo tu "
        "usted ustedes ese esa esos esas este estos estas eso esto aqui ahi alli ya aun todavia muy mas "
        "mucho mucha muchos muchas algun alguna algunos algunas puede pueden podemos podria podriamos "
        "por favor favor dime digame decir sabes sabe hoy ahora actualmente".split()
    ),
}
# Unambiguous markers of each language (words that are not also common in the other).
MARKERS = {
    "en": set(
        "the of to with we us our who what which how why when where is are do does did have has can could "
        "would should will about tell me my any someone anyone going there".split()
    ),
    "es": set(
        "de la el los las del con que quien quienes cual cuales como cuando donde nos nuestro nuestra nuestros "
        "nuestras es son esta estan hay tenemos sabemos sobre para por una unos unas se le les su sus "
        "cuentame dime hablame muy mas ya".split()
    ),
}

# Common words that are neither cues nor stop words, so that they are not read as typos of cues.
COMMON_WORDS = set(
    "agency agencia government gobierno city ciudad network red group grupo grupos groups office oficina "
    "partner partners aliado aliados socio socios work trabajo help ayuda need necesito quiero want "
    "japanese korean chinese american spanish canadian organization organizations organisation "
    "organisations organizacion organizaciones entity entities entidad entidades institution institutions "
    "institucion instituciones people persona personas gente country countries pais paises international "
    "internacional internacionales cooperation cooperacion development desarrollo commerce comercio "
    "governments gobiernos agency agencies agencias ministry ministerio meeting meetings reunion "
    "reuniones visit visita visits visitas act acts actua actuan".split()
)


EXAMPLES: dict[str, dict[str, str]] = {
    "connect": {"en": "who connects us to Korea?", "es": "¿quién nos conecta con Corea?"},
    "strength": {"en": "how strong is our relationship with JICA?", "es": "¿qué tan fuerte es la relación con JICA?"},
    "show": {"en": "tell me about AMCHAM", "es": "¿qué sabemos de AMCHAM?"},
    "followups": {"en": "what is pending with IOM?", "es": "¿qué está pendiente con la OIM?"},
    "overdue": {"en": "what are we late on?", "es": "¿qué tenemos vencido?"},
    "dormant": {"en": "who have we lost touch with?", "es": "¿con quién hemos perdido contacto?"},
    "brokers": {"en": "who bridges groups?", "es": "¿quiénes son los intermediarios?"},
    "last_contact": {"en": "when did we last meet JICA?", "es": "¿cuándo fue la última reunión con JICA?"},
    "partners": {"en": "which partners do we have in China?", "es": "¿qué cámaras de comercio conocemos?"},
    "changes": {"en": "what changed since last quarter?", "es": "¿qué cambió desde el trimestre pasado?"},
}

