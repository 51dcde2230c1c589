"""uvicorn's WebSocket protocol (the websockets sans-I/O one uvicorn picks by default) plus one ASGI extension,
`switchboard.frame_writer` (`{"writer": FrameWriter}`): it writes an already encoded frame straight to the socket.

Why: a broadcast to 1,000 clients through the ASGI `send` path runs, per client, a task wake-up, Starlette's and the
exception middleware's send wrappers, uvicorn's `send` and websockets' framing of the same payload again; the
socket write itself was only about half of it. With the writer a broadcast encodes the frame once (`text_frame`) and
each client costs one state check and one `transport.write`. An app that finds no extension in the scope (another
server, a test client) keeps using `send`; everything else (handshake, close, pings, reads) stays uvicorn's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

FRAME_WRITER = "switchboard.frame_writer"  # the scope["extensions"] key; ASGI extensions are dicts


def frame_writer(scope: Mapping[str, Any]) -> FrameWriter | None:
    """The connection's writer, when the server offers one."""
    writer = scope.get("extensions", {}).get(FRAME_WRITER, {}).get("writer")
    return writer if isinstance(writer, FrameWriter) else None


def text_frame(payload: bytes) -> bytes:
    """`payload` (UTF-8 text) as one final, unmasked text frame: what a server sends (RFC 6455 §5.1, §5.2)."""
    return Frame(Opcode.TEXT, payload).serialize(mask=False)


class FrameWriter:
    """Writes whole frames to one connection, in order with uvicorn's own writes (both go to the same transport)."""

    __slots__ = ("_protocol",)

    def __init__(self, protocol: FramedWebSocketProtocol) -> None:
        self._protocol = protocol

    def write(self, frame: bytes) -> bool:
        """Write `frame`; False (nothing written) unless the connection is open: accepted, no close sent or
        received. Never waits: a reader that does not keep up only grows `buffered()`."""
        p = self._protocol
        if p.disconnected or p.close_sent or p.conn.state is not State.OPEN or p.transport.is_closing():
            return False  # before accept, conn.state is CONNECTING
        p.transport.write(frame)
        return True

    def abort(self) -> None:
        """Cut the connection now, dropping what is unsent (a reader that stopped reading holds it forever)."""
        self._protocol.transport.abort()

    def buffered(self) -> int:
        """Bytes written but not yet taken by the kernel (what a slow reader leaves behind)."""
        return int(self._protocol.transport.get_write_buffer_size())


class FramedWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol offering a `FrameWriter` in scope["extensions"][FRAME_WRITER]."""

    async def run_asgi(self) -> None:
        # Runs once the handshake request is parsed and the scope built, before the app sees either. Only when no
        # extension (permessage-deflate) was negotiated: then a frame's bytes do not depend on the connection.
        if not self.conn.extensions:
            self.scope.setdefault("extensions", {})[FRAME_WRITER] = {"writer": FrameWriter(self)}
        await super().run_asgi()
