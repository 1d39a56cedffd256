"""A TCP relay on 127.0.0.1 in front of a real server (pymap, aiosmtpd), for the tests of
a server that drops the connection or hangs in the middle of a conversation.

The client talks to the relay's port; the relay passes every byte on both ways and keeps
what the client sent (`client_bytes`), so a test can also prove that something, such as a
password, never went on the wire. When a line from the client matches `fault.trigger`:

- "drop": both connections close at once; the server never sees the line.
- "hang": the line reaches nobody and the client hears nothing more (the sockets stay
  open until `stop()`), as with a server that froze: only the client's timeout ends it.
- "cut": the line goes to the server, and only the first `cut_after` bytes of its answer
  reach the client before both connections close: a drop in the middle of a response
  (inside a message body, with `cut_after` past the FETCH line).
- "rewrite": the line goes to the server, and from then on its answers reach the client
  with `replace` (pattern, replacement) applied: a server that sends what no real one
  should, such as a UID of thousands of digits.
"""

from __future__ import annotations

import re
import selectors
import socket
import threading
from dataclasses import dataclass


@dataclass
class Fault:
    trigger: bytes          # a regular expression, searched in each line from the client
    action: str             # "drop", "hang" or "cut"
    cut_after: int = 64     # for "cut": bytes of the server's answer let through
    skip: int = 0           # matching lines let through before the fault acts
    replace: tuple[bytes, bytes] | None = None  # for "rewrite": re.sub on the server's answers


class FaultProxy:
    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.fault: Fault | None = None
        self.client_bytes = bytearray()
        self.matched = 0        # lines that matched the trigger, skipped ones included
        self.triggered = 0      # times the fault acted
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.host, self.port = "127.0.0.1", self._listener.getsockname()[1]
        self._accepting = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._accepting.start()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # the listener was closed by stop()
            try:
                server = socket.create_connection(self.upstream, timeout=10)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, server]
            thread = threading.Thread(target=self._relay, args=(client, server), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _relay(self, client: socket.socket, server: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(client, selectors.EVENT_READ)
        selector.register(server, selectors.EVENT_READ)
        pending = b""          # the client's current line, until its CRLF
        cut_left = None        # bytes of the server's answer still let through after a "cut"
        rewrite = None         # (pattern, replacement) for the server's answers after a "rewrite"
        try:
            while not self._stopping.is_set():
                for key, _ in selector.select(timeout=0.2):
                    data = key.fileobj.recv(65536)
                    if key.fileobj is client:
                        if not data:
                            return
                        with self._lock:
                            self.client_bytes += data
                        pending += data
                        while b"\r\n" in pending:
                            line, pending = pending.split(b"\r\n", 1)
                            action = self._matches(line)
                            if action is None:
                                continue
                            fault = self.fault
                            if action == "drop":
                                return
                            if action == "hang":
                                self._hang(selector)
                                return
                            if action == "rewrite":
                                rewrite = fault.replace
                                continue
                            cut_left = fault.cut_after  # "cut": the line still goes through
                        server.sendall(data)
                    else:
                        if not data:
                            return
                        if rewrite is not None:
                            data = re.sub(rewrite[0], rewrite[1], data)
                        if cut_left is not None:
                            client.sendall(data[:cut_left])
                            cut_left -= len(data[:cut_left])
                            if cut_left <= 0:
                                return
                            continue
                        client.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            for sock in (client, server):
                _close(sock)

    def _matches(self, line: bytes) -> str | None:
        fault = self.fault
        if fault is None or not re.search(fault.trigger, line):
            return None
        with self._lock:
            self.matched += 1
            if self.matched <= fault.skip:
                return None
            self.triggered += 1
        return fault.action

    def _hang(self, selector) -> None:
        """Read and drop whatever comes, answer nothing, until stop()."""
        while not self._stopping.is_set():
            for key, _ in selector.select(timeout=0.2):
                try:
                    if not key.fileobj.recv(65536):
                        return  # the client gave up and closed: the hang is over for it
                except OSError:
                    return

    def sent(self, text: str | bytes) -> bool:
        """Whether the client ever sent these bytes (UTF-8 for text)."""
        needle = text.encode() if isinstance(text, str) else text
        with self._lock:
            return needle in self.client_bytes

    def stop(self) -> None:
        self._stopping.set()
        _close(self._listener, wake=True)
        with self._lock:
            for sock in self._sockets:
                _close(sock)
        self._accepting.join(5)
        for thread in self._threads:
            thread.join(5)


def _close(sock: socket.socket, wake: bool = False) -> None:
    try:
        if wake:  # a thread blocked in accept() wakes only on shutdown, not on close
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
    except OSError:
        pass
