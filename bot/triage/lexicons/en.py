"""English complaint, praise and theme words."""

from bot.triage.lexicons import Lexicon

LEXICON = Lexicon(
    complaint=(
        "bad", "worst", "worse", "terrible", "awful", "horrible", "disappoint*", "rude",
        "unfriendly", "arrogant", "sloppy", "wrong", "problem*", "issue*", "complain*",
        "broken", "damaged", "dirty", "disgusting", "slow*", "expensive", "overpriced",
        "avoid", "scam*", "fraud*", "unprofessional", "incompetent", "annoy*", "frustrat*",
        "angry", "rubbish", "garbage", "trash", "boring", "unfortunately", "missing", "late",
        "delay*", "never again", "useless", "poor*", "mediocre", "waste*", "rip-off",
        "ripoff", "unacceptable", "ignored", "cold food", "lousy", "nightmare", "pathetic",
    ),
    praise=(
        "good", "great", "best", "excellent", "amazing", "fantastic", "awesome", "perfect",
        "happy", "satisfied", "recommend*", "friendly", "helpful", "professional", "fast",
        "quick*", "lovely", "delicious", "clean", "nice", "worth", "love*", "wonderful",
        "pleasant", "polite", "kind", "superb", "outstanding", "impressive", "enjoy*",
    ),
    negations=(
        "not", "no", "never", "don't", "didn't", "doesn't", "wasn't", "weren't", "isn't",
        "aren't", "won't", "can't", "cannot", "couldn't", "without", "hardly", "nothing",
        "nobody", "neither", "nor",
    ),
    themes={
        "delivery": (
            "deliver*", "shipping", "shipped", "shipment*", "parcel*", "package*", "courier*",
            "postage", "tracking", "dispatch*", "arrived", "never arrived",
        ),
        "product_quality": (
            "quality", "broken", "defect*", "faulty", "damaged", "product*", "item*",
            "taste*", "tasted", "food", "meal*", "material*",
        ),
        "staff_service": (
            "staff", "service", "customer service", "support", "employee*", "waiter*",
            "waitress*", "server*", "seller*", "agent*", "manager*", "owner*", "rude",
            "friendly", "helpful", "unfriendly", "attitude",
        ),
        "waiting_time": (
            "wait*", "queue*", "delay*", "late", "slow*", "took forever", "hours", "hour",
            "long time",
        ),
        "price": (
            "price*", "pricey", "expensive", "overpriced", "cheap*", "cost*", "value for money",
            "worth the money",
        ),
        "cleanliness": (
            "dirty", "clean*", "filthy", "hygiene", "dust*", "smell*", "stain*", "cockroach*",
            "bugs", "toilet*",
        ),
        "app_website": (
            "app", "apps", "website", "site", "web page", "webshop", "online shop", "log in",
            "login", "checkout", "link", "bug", "crash*",
        ),
        "billing": (
            "invoice*", "bill", "billed", "billing", "charge*", "charged", "payment*", "refund*",
            "receipt*", "fee", "fees", "money back", "debt collect*",
        ),
    },
)  # fmt: skip
