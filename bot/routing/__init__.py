"""Several brands in one deployment: each review's brand, and the channel its card goes to."""

from bot.routing.routes_file import RoutesFileError, base_brand, load_routing
from bot.routing.rules import Brand, Destination, ReviewFacts, Routing

__all__ = [
    "Brand",
    "Destination",
    "ReviewFacts",
    "RoutesFileError",
    "Routing",
    "base_brand",
    "load_routing",
]
