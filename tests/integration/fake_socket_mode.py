"""A local stand-in for Slack's Socket Mode WebSocket, enough for slack-sdk's own client.

It accepts one connection (the RFC 6455 handshake), sends Slack's `hello` and then the envelopes
it is given, and records the JSON frames the client sends back (the acknowledgements). Loopback
only; it stops when the client closes or after its timeout.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
from typing import Any

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class FakeSocketMode:
    def __init__(self, envelopes: list[dict[str, Any]], timeout: float = 20) -> None:
        self.envelopes = envelopes
        self.received: list[dict[str, Any]] = []
        self.acknowledged = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(timeout)
        self._timeout = timeout
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=test"

    def __enter__(self) -> FakeSocketMode:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._listener.close()
        self._thread.join(timeout=self._timeout)

    def _serve(self) -> None:
        try:
            connection, _ = self._listener.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(self._timeout)
            self._handshake(connection)
            self._send(
                connection, {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0"}}
            )
            for envelope in self.envelopes:
                self._send(connection, envelope)
            self._read_until_closed(connection)

    def _handshake(self, connection: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            request += connection.recv(4096)
        key = next(
            line.split(":", 1)[1].strip()
            for line in request.decode().split("\r\n")
            if line.lower().startswith("sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1((key + WEBSOCKET_GUID).encode()).digest()).decode()  # noqa: S324
        connection.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )

    def _send(self, connection: socket.socket, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        if len(data) < 126:
            header = struct.pack("!BB", 0x81, len(data))
        elif len(data) < 65536:
            header = struct.pack("!BBH", 0x81, 126, len(data))
        else:
            header = struct.pack("!BBQ", 0x81, 127, len(data))
        connection.sendall(header + data)

    def _read_until_closed(self, connection: socket.socket) -> None:
        while True:
            frame = self._read_frame(connection)
            if frame is None:
                return
            opcode, payload = frame
            if opcode == 0x8:  # close
                return
            if opcode == 0x1:
                self.received.append(json.loads(payload))
                self.acknowledged.set()

    def _read_frame(self, connection: socket.socket) -> tuple[int, bytes] | None:
        try:
            first, second = self._exactly(connection, 2)
            length = second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._exactly(connection, 2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._exactly(connection, 8))
            mask = self._exactly(connection, 4) if second & 0x80 else b"\0\0\0\0"
            data = self._exactly(connection, length)
        except (OSError, ConnectionError):
            return None
        return first & 0x0F, bytes(byte ^ mask[index % 4] for index, byte in enumerate(data))

    @staticmethod
    def _exactly(connection: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = connection.recv(size - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data
