"""Hypothesis strategies for hostile stream entries: random, huge, wrong-typed and nested
articles and events, plus fixed 10 MB entries (the consumer fuzz test draws from these)."""

import json
from typing import Any

from hypothesis import example
from hypothesis import strategies as st

# Units repeated into big values: shapes that made regexes or parsers go quadratic before.
UNITS = ["a", "a://", "x:", ":", "@", "<", "&amp;", "\\", "*", "[", "{", "\n", " ", "é", "攻撃",
         "\u202e", "\x00", "strike ", "sanctioned ", "Fly Baghdad ", "\ud800"]
# Drawn values go up to 1 MB; the 10 MB entries are fixed ones (HUGE), run in every mode.
# Drawing 10 MB values made Hypothesis hold gigabytes over a 10,000-case run.
SIZES = [1, 100, 10_000, 200_000, 1_000_000]
big_text = st.builds(lambda unit, size: (unit * (size // len(unit) + 1))[:size],
                     st.sampled_from(UNITS), st.sampled_from(SIZES))
# Every field gets a small value; at most one field per entry gets a big one, so an entry
# stays near 10 MB (several drawn 10 MB values per event once took 23 GB while shrinking).
text = st.one_of(st.text(max_size=300),
                 st.builds(lambda unit, size: unit * size, st.sampled_from(UNITS),
                           st.sampled_from([1, 100, 2_000])),
                 st.sampled_from(["US forces struck three Kataib Hezbollah sites in Iraq",
                                  "Treasury sanctions Fly Baghdad and three KH leaders"]))
when = st.one_of(st.none(), st.integers(), st.sampled_from([
    "2024-01-23T10:00:00", "2024-01-23T10:00:00Z", "2024-01-23T10:00:00-05:00",
    "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2024-02-30T00:00:00", "now"]))
nested = st.builds(lambda depth, opener: opener * depth, st.sampled_from([10, 1000, 200_000]),
                   st.sampled_from(["[", "{\"a\":"]))


@st.composite
def article_json(draw: st.DrawFn) -> dict[str, Any]:
    """An article-shaped object with random, huge or wrong-typed fields (some missing)."""
    value = st.one_of(text, when, st.integers(), st.lists(st.integers(), max_size=3))
    data: dict[str, Any] = {"id": draw(st.one_of(text, st.just("a1"))), "feed": draw(text),
                            "title": draw(text), "summary": draw(text), "url": draw(text),
                            "published": draw(when), "fetched_at": draw(when)}
    for key in draw(st.lists(st.sampled_from(sorted(data)), max_size=3)):
        if draw(st.booleans()):
            data[key] = draw(value)
        else:
            data.pop(key, None)
    big = draw(st.sampled_from(["", "id", "feed", "title", "summary", "url", "junk"]))
    if big:
        data[big] = draw(big_text)
    return data


def _json(data: Any, ascii_only: bool) -> bytes:
    # Lone surrogates pass through as invalid UTF-8 when not escaped: hostile values too.
    return json.dumps(data, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


def event_json(article: dict[str, Any], tags: list[dict[str, Any]]) -> dict[str, Any]:
    """An event around ``article`` as the classifier would publish it (or a mangled one)."""
    return {"id": article.get("id", "e1"), "article": article, "tags": tags}


tag = st.fixed_dictionaries({"name": st.one_of(st.sampled_from(["military_strike", "sanction",
                                                                "fly-baghdad"]), text)},
                            optional={"evidence": st.lists(st.fixed_dictionaries(
                                {"sentence": text, "cues": st.lists(text, max_size=3)}),
                                max_size=3),
                                "fields": st.dictionaries(st.sampled_from(["country", "actor"]),
                                                          st.lists(text, max_size=3)),
                                "confidence": st.floats(), "modality": text})


def entries(payload: st.SearchStrategy[bytes]) -> st.SearchStrategy[dict[bytes, bytes]]:
    """Stream entries: FastStream-style ``__data__``, hand-written fields, raw bytes, nesting."""
    raw_bytes = st.binary(max_size=64)
    return st.one_of(
        payload.map(lambda body: {b"__data__": body}),
        st.dictionaries(st.one_of(raw_bytes, st.sampled_from([b"id", b"title", b"feed"])),
                        st.one_of(raw_bytes, text.map(lambda s: s.encode("utf-8", "replace"))),
                        max_size=5),
        nested.map(lambda body: {b"__data__": body.encode()}),
        raw_bytes.map(lambda body: {b"__data__": body}),
    )


article_entries = entries(st.builds(_json, article_json(), st.booleans()))
event_entries = entries(st.builds(_json, st.builds(event_json, article_json(),
                                                   st.lists(tag, max_size=3)), st.booleans()))


TEN_MB = 10 * 1024 * 1024
MAX_ENTRY = TEN_MB + 4096  # the fixed 10 MB entries plus their JSON around the value
HUGE = [
    {b"__data__": json.dumps({"id": "a1", "feed": "f", "title": "sanctioned " * (TEN_MB // 11),
                              "published": "2024-01-23T10:00:00"}).encode()},
    {b"__data__": json.dumps({"id": "x" * TEN_MB, "feed": "f", "title": "t"}).encode()},
    {b"__data__": b'{"id": "a1", "feed": "f", "title": "t", "junk": "' + b"a://x:" * (TEN_MB // 6)
     + b'"}'},
    {b"__data__": b"[" * TEN_MB},
    {b"\xff" * (TEN_MB // 2): b"\xfe" * 16, b"title": b"\xc3" * (TEN_MB // 2)},
]


def with_huge(test: Any) -> Any:
    """Add the fixed 10 MB entries as explicit examples of ``test``."""
    for fields in HUGE:
        test = example(fields=fields)(test)
    return test
