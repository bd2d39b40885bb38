"""Swedish complaint, praise and theme words."""

from bot.triage.lexicons import Lexicon

LEXICON = Lexicon(
    complaint=(
        "dålig*", "sämst*", "sämre", "usel*", "värdelös*", "katastrof*", "besvik*",
        "oförskämd*", "otrevlig*", "ohyfsad*", "arrogant*", "slarv*", "fel", "felaktig*",
        "problem*", "klag*", "reklamation*", "reklamera*", "trasig*", "sönder", "skadad*",
        "smutsig*", "äcklig*", "långsam*", "överpris*", "undvik*", "varnar", "varning*",
        "bedrägeri*", "bedragare", "bluff*", "lurad*", "lurade", "oprofessionell*",
        "inkompetent*", "försenad*", "försening*", "tyvärr", "irriter*", "frustrer*", "skräp*",
        "hemsk*", "fruktansvärd*", "horribel*", "tråkig*", "oärlig*", "ignorer*",
        "respektlös*", "kass", "kasst", "aldrig igen", "aldrig mer", "inget svar",
        "ingen återkoppling", "struntar", "oacceptabel*", "skandal*", "pinsam*", "kaos*",
        "borde", "minus", "synd", "tveksam*", "misslyck*", "missade", "missad*", "brist*",
        "snål*", "oseriös*", "bedrövlig*", "avråd*", "hopplös*", "meningslös*", "ojämn*",
        "inkorrekt*", "fusk*", "svår*", "krångl*", "ointresserad*", "nonchalant*", "otydlig*",
        "sur", "sura", "ovänlig*", "nedlåtande", "stressig*", "rörig*", "medelmåttig*",
    ),
    praise=(
        "bra", "bäst*", "utmärkt*", "fantastisk*", "toppen", "topp", "super*", "grym*",
        "nöjd*", "rekommender*", "trevlig*", "vänlig*", "hjälpsam*", "proffsig*",
        "professionell*", "snabb*", "smidig*", "perfekt*", "underbar*", "härlig*", "god",
        "gott", "goda", "mysig*", "prisvärd*", "kunnig*", "tillmötesgående", "fin", "fint",
        "fina", "värt", "värd", "kanon", "imponer*", "gärna igen", "kommer tillbaka",
        "älskar", "enastående",
    ),
    negations=("inte", "ej", "aldrig", "ingen", "inget", "inga", "knappast", "utan"),
    negation_follows=True,
    themes={
        "delivery": (
            "leverans*", "levererad*", "levererade", "frakt*", "paket*", "postnord", "budbil*",
            "skickade", "skickat", "skickas", "försändelse*", "hemkörning*", "utkörning*",
            "spårning*", "bud", "budet",
        ),
        "product_quality": (
            "kvalitet*", "trasig*", "sönder", "defekt*", "produkt*", "vara", "varan",
            "varor*", "smak*", "maten", "mat", "material*", "hållbar*", "slitage",
        ),
        "staff_service": (
            "personal*", "bemötande*", "service*", "kundservice*", "kundtjänst*", "servitör*",
            "servitris*", "expedit*", "säljare*", "mäklare*", "otrevlig*", "oförskämd*",
            "trevlig*", "hjälpsam*", "ägare*", "ägaren", "chef*", "kundbemötande*",
        ),
        "waiting_time": (
            "vänta*", "väntetid*", "kö", "kön", "köa*", "försen*", "dröj*", "lång tid",
            "långsam*", "timmar", "sent",
        ),
        "price": (
            "pris*", "dyr", "dyrt", "dyra", "kostnad*", "kostar", "kostade", "billig*",
            "överpris*", "prisvärd*", "kronor", "kr",
        ),
        "cleanliness": (
            "smuts*", "ren", "rent", "rena", "städ*", "skitig*", "hygien*", "dammig*",
            "lukt*", "äcklig*", "fläck*", "ohyra", "kackerlack*",
        ),
        "app_website": (
            "app", "appen", "appar*", "hemsida*", "hemsidan", "webbplats*", "webbsida*",
            "sajt*", "inlogg*", "logga in", "webbshop*", "nätbutik*", "länk*", "bugg*",
            "krasch*",
        ),
        "billing": (
            "faktura*", "fakturer*", "debiter*", "dragit*", "betalning*", "återbetal*",
            "kvitto*", "avgift*", "inkasso*", "pengarna tillbaka", "dubbeldrag*",
        ),
    },
)  # fmt: skip
