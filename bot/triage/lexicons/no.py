"""Norwegian complaint, praise and theme words, in both Bokmål and Nynorsk spellings."""

from bot.triage.lexicons import Lexicon

LEXICON = Lexicon(
    complaint=(
        "dårlig*", "dårleg*", "elendig*", "verst*", "verre", "skuff*", "frekk*", "uhøflig*",
        "uhøfleg*", "arrogant*", "slurv*", "feil*", "problem*", "klag*", "reklamasjon*",
        "ødelagt*", "øydelagd*", "knust*", "skitn*", "skitten*", "ekkel*", "ekle", "treg*",
        "forsinket*", "forseinka*", "overpris*", "unngå*", "advar*", "svindel*",
        "uprofesjonell*", "inkompetent*", "irriter*", "frustrer*", "sint", "søppel*",
        "forferdelig*", "forferdeleg*", "fryktelig*", "kjedelig*", "kjedeleg*", "dessverre",
        "diverre", "mangler", "manglar", "middelmådig*", "svak*", "håpløs*", "ubrukelig*",
        "pinlig*", "pinleg*", "patetisk*", "grusom*", "aldri igjen", "aldri meir",
        "aldri mer", "kjip*", "uakseptabel*", "skandal*", "tam", "tamt", "flau*", "tynn*",
        "ulogisk*", "overflatisk*", "slapp*", "kaos*", "mislykk*",
        "burde", "minus", "synd", "tvilsom*", "brist*", "useriøs*", "meningsløs*", "ujevn*",
        "feilaktig*", "juks*", "vanskelig*", "vanskeleg*", "tungvint*", "kronglete",
        "uinteressant*", "uinteressert*", "nonchalant*", "uklar*", "forutsigbar*",
        "føreseieleg*", "klisjé*", "klisje*", "overdrev*", "anstrengt*", "langdryg*",
        "slitsom*", "blass", "tannløs*", "uengasjert*", "platt*", "banal*",
        "stiv*", "kjedsomhet*", "skranglete",
        "rotete", "uferdig*", "ubehagelig*", "ubehageleg*",
    ),
    praise=(
        "bra", "best*", "utmerket*", "utmerka", "fantastisk*", "topp*", "super*",
        "glimrende*", "strålende*", "fornøyd*", "nøgd*", "anbefal*", "tilrår*", "hyggelig*",
        "hyggeleg*", "vennlig*", "venleg*", "hjelpsom*", "profesjonell*", "rask*", "kjapp*",
        "perfekt*", "herlig*", "herleg*", "deilig*", "deileg*", "god", "godt", "gode",
        "koselig*", "koseleg*", "flott*", "fin", "fint", "fine", "verdt", "imponer*",
        "morsom*", "morosam*", "underholdende", "vakker*", "vakre", "solid*", "elsker",
        "likte", "liker", "spennende", "spanande", "sterk*", "nydelig*", "nydeleg*",
        "gripende", "rørende", "vellykk*", "treffsikker*", "velsmakende", "lekker*",
        "sjarmerende", "overbevis*",
    ),
    negations=(
        "ikke", "ikkje", "aldri", "ingen", "inga", "ingenting", "verken", "uten", "utan",
        "lite", "mindre",
    ),
    negation_follows=True,
    themes={
        "delivery": (
            "levering*", "leveranse*", "levert*", "frakt*", "pakke*", "posten", "bring",
            "sendt", "sendte", "sending*", "budbil*", "hjemlevering*", "heimlevering*",
            "sporing*",
        ),
        "product_quality": (
            "kvalitet*", "ødelagt*", "øydelagd*", "defekt*", "produkt*", "vare", "varen",
            "varer*", "varene", "smak*", "maten", "mat", "materiale*", "holdbar*",
        ),
        "staff_service": (
            "personal*", "betjening*", "service*", "kundeservice*", "kundestøtte*",
            "servitør*", "ekspeditør*", "selger*", "seljar*", "megler*", "uhøflig*",
            "uhøfleg*", "frekk*", "hyggelig*", "hyggeleg*", "hjelpsom*", "eier*", "eigar*",
            "sjef*", "ansatt*", "tilsett*",
        ),
        "waiting_time": (
            "vent*", "ventetid*", "kø", "køen", "forsink*", "forseink*", "treg*", "lang tid",
            "timer", "timar", "seint", "sent",
        ),
        "price": (
            "pris*", "dyr", "dyrt", "dyre", "kostnad*", "koster", "kostet", "kosta", "billig*",
            "overpris*", "kroner", "kr",
        ),
        "cleanliness": (
            "skitn*", "skitten*", "rein", "reint", "ren", "rent", "renhold*", "reinhald*",
            "vask*", "hygiene*", "støv*", "lukt*", "ekkel*", "flekk*", "kakerlakk*",
        ),
        "app_website": (
            "app", "appen", "apper*", "appar*", "nettside*", "nettsted*", "heimeside*",
            "hjemmeside*", "innlogg*", "logge inn", "nettbutikk*", "lenke*", "lenkja", "bug*",
            "krasj*",
        ),
        "billing": (
            "faktura*", "fakturer*", "belast*", "trekt*", "betaling*", "tilbakebetal*",
            "kvittering*", "gebyr*", "inkasso*", "pengene tilbake", "pengane tilbake",
            "refusjon*",
        ),
    },
)  # fmt: skip
