"""Where a piece of work happens: coordinates as typed on a form or sent by a phone's geolocation."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _


def coordinate(value: Any, field: str, bound: int, errors: dict[str, list[str]]) -> Decimal | None:
    """A latitude (bound 90) or longitude (bound 180) to six decimals (about 0.1 m), None when empty; a
    message under `field` in `errors` when it is not a number in range."""
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        errors[field] = [_("Enter a number.")]
        return None
    if not -bound <= d <= bound:
        errors[field] = [_("Must be between -%(b)d and %(b)d.") % {"b": bound}]
        return None
    return d


def latitude_longitude(latitude: Any, longitude: Any, errors: dict[str, list[str]]
                       ) -> tuple[Decimal | None, Decimal | None]:
    return coordinate(latitude, "latitude", 90, errors), coordinate(longitude, "longitude", 180, errors)
