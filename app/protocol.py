"""uvicorn's HTTP protocol with each response's bytes sent in one write, for `nmt serve` (`uvicorn --http
nmt.app.protocol:OneWritePerResponse` does the same by hand).

uvicorn writes a response's status line and headers to the socket at once, and its body in a second write. A
replica that dies between the two (SIGKILL, an OOM kill) leaves its load balancer with headers already passed on to
the client and a body that never comes: the one failure a balancer cannot retry, since the client has its answer's
beginning. Between the two writes the event loop's thread can wait for the GIL while the model's thread decodes (up
to a GIL switch interval, 5 ms), or be switched out on a busy machine: the gap is wider than the code between them.
Here the writes of one turn of the event loop are joined and sent at its next turn: a response that fits the
socket's buffer then reaches the balancer whole or not at all (`benchmarks/sigkill_cuts.py` counts the writes and
the cut answers; `scripts/scale_out.py`: a replica SIGKILLed under load costs no request).
"""
from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class JoinedWrites:
    """An asyncio transport whose writes are held until the event loop's next turn, then sent as one."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop):
        self._transport, self._loop, self._held = transport, loop, bytearray()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._held:
            self._loop.call_soon(self._flush)
        self._held += data

    def _flush(self) -> None:
        if self._held and not self._transport.is_closing():
            self._transport.write(bytes(self._held))
        self._held.clear()

    def close(self) -> None:  # what was written before close() is sent before the connection closes
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:  # everything else (pause_reading, get_extra_info, ...) as it is
        return getattr(self._transport, name)


class OneWritePerResponse(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(JoinedWrites(transport, self.loop))  # type: ignore[arg-type]
