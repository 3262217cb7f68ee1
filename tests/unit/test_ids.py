"""kit/ids.py: random codes are of the length asked, alphanumeric, and every character as likely."""

from __future__ import annotations

import string
from collections import Counter

from printapi.kit import ids


def test_a_code_has_the_length_asked_and_only_letters_and_digits() -> None:
    for length in (1, 20, 48, 300):
        code = ids.random_code(length)
        assert len(code) == length
        assert set(code) <= set(string.ascii_letters + string.digits)


def test_every_character_is_as_likely() -> None:
    seen = Counter("".join(ids.random_code(62) for _ in range(4000)))
    assert set(seen) == set(string.ascii_letters + string.digits)
    # 4,000 of each expected; keeping all 256 byte values would give the first eight characters
    # about 4,840 each and the rest 3,870. 4,000 +- 400 is six standard deviations (63) each way.
    assert all(3600 < count < 4400 for count in seen.values()), seen.most_common(3)
