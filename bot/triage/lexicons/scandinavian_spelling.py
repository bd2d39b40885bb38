"""Spellings that only one of Danish, Bokmål and Nynorsk uses.

The statistical detector mixes Danish and Norwegian up on short texts because most of their
words are spelt the same. A handful of very frequent words are not, and one of them in a
text is stronger evidence than a few character n-grams. Every entry here must be a form that
the other side never writes: words that conservative Bokmål (riksmål) shares with Danish,
such as "meget", "efter" and "nu", are left out on purpose so Norwegian reviews written in
that style are not pushed towards Danish.
"""

import re

DANISH_NOT_NORWEGIAN = frozenset(
    {
        "af", "aldrig", "altid", "beskidt", "beskidte", "bliver", "dejlig", "dejligt", "dig",
        "fik", "forkert", "gik", "gør", "gøre", "havde", "hej", "hende", "hendes", "hjælp",
        "hjælpe", "hjælpsom", "hvad", "igen", "jer", "jeres", "kage", "kagen", "kager", "kold",
        "koldt", "køb", "købe", "købet", "købt", "købte", "køre", "leverede", "leveret", "lidt",
        "lugtede", "længe", "maden", "mig", "måske", "nej", "noget", "nogle", "os", "rigtig",
        "rigtigt", "sagde", "selvom", "sig", "siger", "sjov", "sjovt", "smag", "smager", "smagte",
        "spurgte", "spørgsmål", "svarede", "søde", "tager", "tak", "ud", "uden", "uge", "uger",
        "vej", "venlig", "venlige", "venligt", "ventede", "vores",
    }
)  # fmt: skip

NORWEGIAN_NOT_DANISH = frozenset(
    {
        "aldri", "alltid", "av", "berre", "ble", "blir", "blitt", "bra", "deg", "deilig",
        "deilige", "dårleg", "eg", "ein", "eit", "etter", "feil", "fikk", "frå", "gikk", "gjør",
        "gjøre", "hadde", "hei", "henne", "hennes", "hjelp", "hjelpe", "hjelpsom", "hva", "igjen",
        "ikkje", "kake", "kaken", "kanskje", "kjøp", "kjøpe", "kjøpt", "kjøpte", "kjøre",
        "korleis", "kva", "kvifor", "lenge", "levert", "litt", "luktet", "maten", "meg", "mye",
        "mykje", "nei", "noe", "noen", "noko", "nokon", "opp", "oss", "riktig", "riktige", "seg",
        "sier", "sjølv", "skitten", "skittent", "smak", "smaker", "smakte", "spurte", "spørsmål",
        "takk", "uke", "uker", "ut", "uten", "veldig", "vennlig", "vennlige", "vår", "våre",
        "vårt",
    }
)  # fmt: skip

NYNORSK_NOT_BOKMAL = frozenset(
    {
        "berre", "betre", "dei", "deira", "desse", "difor", "dårleg", "dårlege", "eg", "ein",
        "eit", "fekk", "fleire", "frå", "gjekk", "heile", "hennar", "hjå", "ho", "ikkje", "kjem",
        "korleis", "kva", "kven", "kvifor", "mykje", "noko", "nokon", "nokre", "saman", "seier",
        "sidan", "sjølv", "vere", "vore", "òg",
    }
)  # fmt: skip

BOKMAL_NOT_NYNORSK = frozenset(
    {
        "bare", "bedre", "ble", "disse", "dårlig", "dårlige", "fikk", "flere", "fra", "gikk",
        "hele", "hennes", "hun", "hva", "hvem", "hvordan", "hvorfor", "ikke", "jeg", "kommer",
        "mye", "noe", "noen", "sammen", "selv", "siden", "sier", "vet", "være", "vært",
    }
)  # fmt: skip

# Derivational endings: Norwegian "-sjon" and "-het" against Danish "-hed" (informasjon /
# information, sikkerhet / sikkerhed). A stem of a few letters keeps short words out.
DANISH_SUFFIX = re.compile(r"^\w{4,}hed(?:en|er|erne)?$")
NORWEGIAN_SUFFIX = re.compile(r"^\w{3,}(?:sjon|sjonen|sjoner|sjonene|het|heten|heter|hetene)$")
