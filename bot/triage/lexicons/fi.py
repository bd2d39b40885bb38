"""Finnish complaint, praise and theme words.

Finnish inflects by suffixes, so most entries are stems ("huono*" covers huonoa, huonon).
A negation is the verb "ei" in its personal forms (en, et, ei, emme, ette, eivät).
"""

from bot.triage.lexicons import Lexicon

LEXICON = Lexicon(
    complaint=(
        "huono*", "surkea*", "surkeaa", "kamala*", "kauhea*", "hirveä*", "hirveää",
        "karmea*", "pettymy*", "pettynyt", "pettyneitä", "pettyi*", "epäkohteli*", "tyly*",
        "ylimieli*", "virhe*", "ongelm*", "valitu*", "valitan", "rikki", "rikkinäi*", "likai*",
        "ällö*", "hidas", "hitaa*", "ylihinta*", "huijau*", "huijari*", "huijaus",
        "epäammattimai*", "ärsyttä*", "ärsyttää", "turhautu*", "vihai*", "roska*", "paska*",
        "tylsä*", "valitettavasti", "puuttu*", "myöhässä", "myöhästy*", "viallinen",
        "viallis*", "järkyttävä*", "kurja*", "inhottava*", "vihaan", "tyhmä*", "typerä*",
        "paha", "pahaa", "pahin", "pahempi", "pahinta", "kauheaa", "ei koskaan enää",
        "sietämätön*", "kestämätön*",
        "liian", "valitettava*", "harmi*", "ikävä*", "tylsää", "heikko*", "heikosti",
        "keskinkertai*", "sekava*", "vaikea*", "epäselvä*", "outo*", "ruma*",
    ),
    praise=(
        "hyvä*", "hyvin", "loistava*", "erinomai*", "mahtava*", "upea*", "täydelli*",
        "tyytyväi*", "suosittel*", "ystävälli*", "avulia*", "ammattitaitoi*", "nopea*",
        "nopeasti", "kiva*", "mukava*", "ihana*", "herkulli*", "siisti*", "edulli*", "paras",
        "parasta", "parhai*", "rakastan", "hieno*", "kaunis", "kaunii*", "hauska*",
        "onnelli*", "kiitollinen",
    ),
    negations=("ei", "en", "et", "emme", "ette", "eivät", "eikä", "ilman", "älä", "älkää"),
    themes={
        "delivery": (
            "toimitu*", "toimitet*", "toimitta*", "paketti*", "paketin", "posti*",
            "lähety*", "kuljet*", "nouto*", "matkahuolto*", "kotiinkuljetu*",
        ),
        "product_quality": (
            "laatu*", "laadu*", "rikki", "viallinen", "viallis*", "tuote*", "tuotte*", "maku*",
            "ruoka*", "ruoa*", "ruuan", "materiaali*", "kestävä*",
        ),
        "staff_service": (
            "henkilökun*", "palvelu*", "asiakaspalvelu*", "myyjä*", "tarjoilija*",
            "työntekijä*", "tyly*", "ystävälli*", "epäkohteli*", "kohteli*", "omistaja*",
            "esimies*",
        ),
        "waiting_time": (
            "odot*", "jono*", "viive*", "viivä*", "myöhä*", "myöhäs*", "kesti", "hidas",
            "hitaa*", "tuntia",
        ),
        "price": (
            "hinta*", "hinna*", "kallis", "kallii*", "halpa*", "halva*", "edulli*", "euro*",
            "ylihinta*",
        ),
        "cleanliness": (
            "likai*", "siivo*", "puhta*", "puhdas", "hygienia*", "haju*", "haise*", "pöly*",
            "tahra*", "torakka*",
        ),
        "app_website": (
            "sovellu*", "äppi*", "appi*", "verkkosivu*", "nettisivu*", "verkkokau*",
            "kirjautu*", "sivusto*", "linkki*", "bugi*", "kaatu*",
        ),
        "billing": (
            "lasku*", "laskutu*", "veloit*", "maksu*", "maksoi*", "hyvity*", "kuitti*",
            "perintä*", "rahat takaisin", "palautus*",
        ),
    },
)  # fmt: skip
