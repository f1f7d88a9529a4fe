"""Random generators and ids derived from the seed: Square-looking ids, some of which say where they came from."""

from __future__ import annotations

import datetime as dt
import random
import string

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
EPOCH_DAY = dt.date(2000, 1, 1)


def rng_for(*parts: object) -> random.Random:
    """A generator that depends only on ``parts`` (string seeds are hashed with SHA-512: stable across runs)."""
    return random.Random(":".join(str(part) for part in parts))


def random_id(rng: random.Random, length: int) -> str:
    return "".join(rng.choices(ALPHABET, k=length))


def encode(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, digit = divmod(number, 62)
        chars.append(ALPHABET[digit])
    if number:
        raise ValueError("number too large to encode")
    return "".join(reversed(chars))


def decode(text: str) -> int:
    number = 0
    for char in text:
        number = number * 62 + ALPHABET.index(char)
    return number


def entity_id(rng: random.Random, location_index: int, day: dt.date, length: int = 27) -> str:
    """A Square-looking id whose last four characters name its location-day (so it can be found again)."""
    return random_id(rng, length - 4) + ALPHABET[location_index] + encode((day - EPOCH_DAY).days, 3)


def id_origin(entity: str) -> tuple[int, dt.date] | None:
    try:
        return ALPHABET.index(entity[-4]), EPOCH_DAY + dt.timedelta(days=decode(entity[-3:]))
    except (ValueError, IndexError):
        return None
