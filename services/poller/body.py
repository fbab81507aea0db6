"""Body limits: wire bytes decoded by us, so neither size nor a compression bomb passes the cap."""

import re
import zlib
from collections.abc import AsyncIterator

import httpx

from services.poller.ssrf import FetchError
from shared.failures import FailureReason

_XML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<[?!a-zA-Z]")


def _looks_like_xml(data: bytes) -> bool:
    """True when a body labelled as compressed starts like a plain XML document."""
    return _XML_START.match(data[:512]) is not None


class _Decoder:
    """Incremental gzip/deflate/identity decoding that never produces more than ``cap`` bytes."""

    def __init__(self, encoding: str, cap: int) -> None:
        if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(FailureReason.ENCODING, encoding[:40])
        self.cap, self.out = cap, bytearray()
        self.raw_deflate = encoding == "deflate"
        self.zobj = None if encoding in ("", "identity") else zlib.decompressobj(wbits=47)
        self.started = False

    def feed(self, data: bytes) -> None:
        if self.zobj is None:
            self.out += data
        else:
            self._inflate(data)
        if len(self.out) > self.cap:
            raise FetchError(FailureReason.TOO_LARGE)

    def _inflate(self, data: bytes) -> None:
        assert self.zobj is not None
        while data:
            try:
                chunk = self.zobj.decompress(data, self.cap + 1 - len(self.out))
            except zlib.error:
                if not self.started and _looks_like_xml(data):
                    # Labelled gzip/deflate but sent as is (a misconfigured server): take
                    # the bytes as they are, as browsers and feedparser do.
                    self.zobj = None
                    self.out += data
                    return
                if not (self.raw_deflate and not self.started):
                    raise FetchError(FailureReason.DECODE) from None
                self.zobj, self.raw_deflate = zlib.decompressobj(wbits=-15), False
                continue  # "deflate" sent as raw deflate without the zlib header
            self.started = True
            self.out += chunk
            if len(self.out) > self.cap:
                raise FetchError(FailureReason.TOO_LARGE)
            data = self.zobj.unconsumed_tail
            if self.zobj.eof:
                return

    def result(self) -> bytes:
        if self.zobj is not None and self.started and not self.zobj.eof:
            raise FetchError(FailureReason.DECODE)
        return bytes(self.out)


async def read_bounded(response: httpx.Response, cap: int) -> bytes:
    """Raw wire bytes decoded by us, so a compression bomb stops at exactly ``cap`` bytes."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise FetchError(FailureReason.TOO_LARGE)
    decoder = _Decoder(response.headers.get("content-encoding", "").strip().lower(), cap)
    wire = 0
    chunks: AsyncIterator[bytes] = response.aiter_raw()
    async for raw in chunks:
        wire += len(raw)
        if wire > cap:
            raise FetchError(FailureReason.TOO_LARGE)
        decoder.feed(raw)
    return decoder.result()
