"""Time and randomness shared by the generator's modules.

Everything is derived from the seed: each part of the generator draws from its own stream
(:func:`rng_for` with a stream name and chunk number), so the output does not depend on how work
is chunked or on the order in which the parts run, and the same seed gives the same bytes.
Times are integer seconds since the Unix epoch (UTC) until they are written.
"""

from __future__ import annotations

import math
import random
import zlib
from datetime import UTC, datetime

import numpy as np

DAY = 86_400
HOUR = 3_600
YEAR = 365 * DAY
#: the default "now" of the synthetic platform; events cover the two years before it
DEFAULT_AS_OF = datetime(2026, 6, 30, tzinfo=UTC)
#: length of the observed activity window before as_of
WINDOW = 730 * DAY
#: the platform's launch: no account is older
PLATFORM_START = int(datetime(2003, 5, 5, tzinfo=UTC).timestamp())


def _key(name: str) -> int:
    return zlib.crc32(name.encode())


def rng_for(seed: int, stream: str, *chunk: int) -> np.random.Generator:
    """A numpy generator for one named stream (and optional chunk numbers) of one seed."""
    return np.random.default_rng(np.random.SeedSequence([seed & 0xFFFFFFFF, _key(stream), *chunk]))


class FastRandom(random.Random):
    """``random.Random`` with cheaper scalar draws for the text-building hot paths.

    The stdlib's ``choice``/``randint``/``sample`` go through ``_randbelow`` (Python code, a
    few hundred nanoseconds each); millions of profiles and messages make that the bottleneck.
    These versions scale one ``random()`` draw instead: the bias (below 2**-50) is irrelevant
    here, and the stream stays deterministic for a seed.
    """

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))

    def randrange(self, start: int, stop: int | None = None, step: int = 1) -> int:  # type: ignore[override]
        if stop is None:
            start, stop = 0, start
        n = (stop - start + step - 1) // step
        return start + step * int(self.random() * n)

    def sample(self, population, k: int, *, counts=None):  # type: ignore[no-untyped-def, override]
        pool = list(population)
        n = len(pool)
        if k > n:
            raise ValueError("sample larger than population")
        rand = self.random
        for i in range(k):
            j = i + int(rand() * (n - i))
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]

    def shuffle(self, x) -> None:  # type: ignore[no-untyped-def, override]
        rand = self.random
        for i in range(len(x) - 1, 0, -1):
            j = int(rand() * (i + 1))
            x[i], x[j] = x[j], x[i]

    def lognormvariate(self, mu: float, sigma: float) -> float:
        return math.exp(self.gauss(mu, sigma))


def pyrng_for(seed: int, stream: str, *chunk: int) -> FastRandom:
    """A stdlib-style generator (faster for scalar choices in text building) for one stream."""
    mixed = np.random.SeedSequence([seed & 0xFFFFFFFF, _key(stream), *chunk]).generate_state(2)
    return FastRandom(int(mixed[0]) << 32 | int(mixed[1]))


def working_time(rng: np.random.Generator, n: int, tz: np.ndarray | float) -> np.ndarray:
    """Seconds after UTC midnight at which people in time zone ``tz`` (hours) act.

    Mostly office hours, local time, with a tail of evenings and nights, so that an operator
    working another continent's office hours stands out as a rhythm, not as a rule.
    """
    local = np.where(
        rng.random(n) < 0.86,
        np.clip(rng.normal(12.8, 2.6, n), 6.5, 21.5),
        rng.uniform(0.0, 24.0, n),
    )
    utc = (local - tz) % 24.0
    return (utc * HOUR).astype(np.int64)


def at_working_time(
    rng: np.random.Generator, t: np.ndarray, tz: np.ndarray | float, lo: np.ndarray | int
) -> np.ndarray:
    """Move times to working hours on the same UTC day, never before ``lo``."""
    day = (t // DAY) * DAY
    out = day + working_time(rng, len(t), tz)
    return np.maximum(out, lo)


def iso(t: int) -> str:
    """One time as the contract's ISO 8601 UTC text."""
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_many(t: np.ndarray) -> list[str]:
    """Many times as ISO 8601 UTC texts, vectorised (the event writer's hot path)."""
    return [s + "Z" for s in np.datetime_as_string(t.astype("datetime64[s]"), unit="s").tolist()]


def month_text(t: int) -> str:
    """A "YYYY-MM" partial date, as profile experience and education use."""
    return datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m")


def work_at(r: random.Random, t: int, tz: float, lo: int = 0) -> int:
    """Scalar :func:`at_working_time`: the same UTC day, at a working hour in time zone ``tz``."""
    local = min(21.5, max(6.5, r.gauss(12.8, 2.6))) if r.random() < 0.86 else r.uniform(0.0, 24.0)
    utc = (local - tz) % 24.0
    return max(int(t // DAY * DAY + utc * HOUR), lo)
