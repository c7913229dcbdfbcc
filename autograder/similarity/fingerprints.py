"""Winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003, the algorithm behind MOSS) over token streams.

Every K consecutive tokens hash to one k-gram; of each window of W consecutive
k-grams the smallest hash is kept (the rightmost on ties, each selection once).
Any match of at least K + W - 1 tokens is guaranteed to share a fingerprint, and
nothing shorter than K tokens can match. Hashes are stable across processes
(CRC32 of the token text, then Python's tuple hash of ints, which is not salted).
"""
import hashlib
import zlib
from functools import lru_cache
from typing import Dict, List, Sequence, Tuple

K = 12
WINDOW = 4
MIN_STATEMENT_TOKENS = 8

Span = Tuple[int, int]  # first and last source line a fingerprint covers


@lru_cache(maxsize=65536)
def _token_hash(token: str) -> int:
    return zlib.crc32(token.encode("utf-8", "replace"))


def winnow(tokens: Sequence[Tuple[str, int]], k: int = K, window: int = WINDOW) -> Dict[int, List[Span]]:
    """Fingerprint hash -> the source line spans where it was selected."""
    codes = [_token_hash(token) for token, _ in tokens]
    lines = [line for _, line in tokens]
    grams = [hash(tuple(codes[i:i + k])) for i in range(len(codes) - k + 1)]
    prints: Dict[int, List[Span]] = {}
    if not grams:
        return prints
    chosen = -1
    for start in range(max(1, len(grams) - window + 1)):
        values = grams[start:start + window]
        smallest = min(values)
        best = start + len(values) - 1 - values[::-1].index(smallest)
        if best != chosen:
            chosen = best
            span = (min(lines[best:best + k]), max(lines[best:best + k]))
            prints.setdefault(grams[best], []).append(span)
    return prints


def statement_prints(statements: Sequence[Tuple[Tuple[str, ...], int, int]],
                     shortest: int = MIN_STATEMENT_TOKENS) -> Dict[int, List[Span]]:
    """One fingerprint per normalised simple statement of at least `shortest` tokens, wherever it stands:
    a copy edited here and there keeps the statements it did not touch, whatever their neighbours."""
    prints: Dict[int, List[Span]] = {}
    for tokens, first, last in statements:
        if len(tokens) >= shortest:
            digest = hashlib.blake2b("\x00".join(("statement",) + tokens).encode("utf-8", "replace"), digest_size=8)
            prints.setdefault(int.from_bytes(digest.digest(), "big", signed=True), []).append((first, last))
    return prints
