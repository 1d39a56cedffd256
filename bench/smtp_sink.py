"""A counting SMTP sink for the benchmarks: aiosmtpd on 127.0.0.1.

Prints its port on the first line; then each line "take" on stdin is answered with the
number of messages received since the last one. Ends when stdin closes.

`--pipelining`: aiosmtpd's EHLO also offers PIPELINING (RFC 2920).

`--raw`: instead of aiosmtpd, a minimal asyncio SMTP server that reads the content in
256 kB blocks and looks only for its end. aiosmtpd reads the content line by line, about
16 MB/s here (170 ms for one 2.7 MB message with a brochure): with attachments it, not
the client, would be what B3a measures.
"""

import asyncio
import socket
import sys
import threading

from aiosmtpd.controller import Controller

count = 0
lock = threading.Lock()


class Counting:
    def __init__(self, pipelining: bool = False):
        self.pipelining = pipelining

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        # aiosmtpd reads one command at a time from its stream, so commands sent together
        # are answered in order; it only does not say so. `--pipelining` says so
        # (RFC 2920), as Postfix, Exim and the big providers do.
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_DATA(self, server, session, envelope):
        global count
        with lock:
            count += 1
        return "250 OK"


async def _raw_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    global count
    writer.write(b"220 bench.localhost ESMTP\r\n")
    while line := await reader.readline():
        verb = line[:4].upper()
        if verb == b"EHLO":
            writer.write(b"250-bench.localhost\r\n250 8BITMIME\r\n")
        elif verb == b"DATA":
            writer.write(b"354 end with .\r\n")
            await writer.drain()
            tail = b""
            while True:  # dot-stuffed content: CRLF . CRLF occurs only at its end
                block = await reader.read(262144)
                if not block:
                    return
                if b"\r\n.\r\n" in tail + block[:5] or b"\r\n.\r\n" in block:
                    break
                tail = block[-4:]
            with lock:
                count += 1
            writer.write(b"250 OK\r\n")
        elif verb == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


def _serve_raw(port_box: list, ready: threading.Event) -> None:
    async def serve() -> None:
        server = await asyncio.start_server(_raw_session, "127.0.0.1", 0, limit=1 << 20)
        port_box.append(server.sockets[0].getsockname()[1])
        ready.set()
        await server.serve_forever()

    asyncio.run(serve())


def main() -> None:
    global count
    controller = None
    if "--raw" in sys.argv[1:]:
        port_box: list = []
        ready = threading.Event()
        threading.Thread(target=_serve_raw, args=(port_box, ready), daemon=True).start()
        ready.wait()
        port = port_box[0]
    else:
        with socket.socket() as probe:  # aiosmtpd's start-up check needs a real port
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(Counting("--pipelining" in sys.argv[1:]), hostname="127.0.0.1", port=port,
                                server_hostname="bench.localhost")
        controller.start()
    print(port, flush=True)
    for line in sys.stdin:
        if line.strip() == "take":
            with lock:
                taken, count = count, 0
            print(taken, flush=True)
    if controller is not None:
        controller.stop()


if __name__ == "__main__":
    main()
