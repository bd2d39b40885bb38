"""Danish complaint, praise and theme words."""

from bot.triage.lexicons import Lexicon

LEXICON = Lexicon(
    complaint=(
        "dårlig*", "elendig*", "værst*", "værre", "skuff*", "uhøflig*", "arrogant*",
        "sjusk*", "fejl*", "problem*", "klag*", "reklamation*", "ødelagt*", "i stykker",
        "beskidt*", "klam*", "ulækker*", "langsom*", "overpris*", "undgå*", "advar*",
        "svindel*", "uprofessionel*", "inkompetent*", "irriter*", "frustrer*", "vred*",
        "skrald*", "forfærdelig*", "frygtelig*", "kedelig*", "desværre", "mangler*",
        "forsinke*", "aldrig igen", "håbløs*", "ubrugelig*", "pinlig*", "ringe", "uacceptabel*",
        "skandale*", "middelmådig*", "kaos*",
        "burde", "minus", "synd", "tvivlsom*", "mangelfuld*", "useriøs*", "meningsløs*",
        "besværlig*", "uinteressant*", "forudsigelig*", "kliché*", "overdrevet*", "rodet*",
        "ubehagelig*", "uvenlig*", "nedladende",
    ),
    praise=(
        "god", "godt", "gode", "bedst*", "fremragende", "fantastisk*", "super*", "fornøjet",
        "tilfreds*", "anbefal*", "hyggelig*", "venlig*", "hjælpsom*", "professionel*",
        "hurtig*", "perfekt*", "dejlig*", "flot*", "fin", "fint", "fine", "værd",
        "imponer*", "sød*", "lækker*", "glimrende", "elsker", "kommer igen",
    ),
    negations=("ikke", "aldrig", "ingen", "intet", "uden", "hverken"),
    negation_follows=True,
    themes={
        "delivery": (
            "levering*", "leveret", "leverede", "fragt*", "pakke*", "postnord", "gls", "dao",
            "sendt", "sending*", "bud", "budet", "forsendelse*", "sporing*",
        ),
        "product_quality": (
            "kvalitet*", "ødelagt*", "i stykker", "defekt*", "produkt*", "vare", "varen",
            "varer*", "smag*", "maden", "mad", "materiale*", "holdbar*",
        ),
        "staff_service": (
            "personale*", "betjening*", "service*", "kundeservice*", "tjener*",
            "ekspedient*", "sælger*", "mægler*", "uhøflig*", "venlig*", "hjælpsom*", "ejer*",
            "chef*", "ansat*", "medarbejder*",
        ),
        "waiting_time": (
            "vent*", "ventetid*", "kø", "køen", "forsink*", "langsom*", "lang tid", "timer",
            "sent",
        ),
        "price": (
            "pris*", "dyr", "dyrt", "dyre", "omkostning*", "koster", "kostede", "billig*",
            "overpris*", "kroner", "kr",
        ),
        "cleanliness": (
            "beskidt*", "snavs*", "ren", "rent", "rene", "rengøring*", "hygiejne*", "støv*",
            "lugt*", "ulækker*", "klam*", "plet*", "kakerlak*",
        ),
        "app_website": (
            "app", "appen", "apps", "hjemmeside*", "website*", "login*", "logge ind",
            "webshop*", "netbutik*", "link*", "fejlside*", "crash*",
        ),
        "billing": (
            "faktura*", "fakturer*", "opkræv*", "trukket", "betaling*", "tilbagebetal*",
            "kvittering*", "gebyr*", "inkasso*", "pengene tilbage", "refusion*",
        ),
    },
)  # fmt: skip
