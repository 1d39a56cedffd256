"""A counting SMTP sink for the benchmarks: aiosmtpd on 127.0.0.1.

Prints its port on the first line; then each line "take" on stdin is answered with the
number of messages received since the last one. Ends when stdin closes.
"""

import socket
import sys
import threading

from aiosmtpd.controller import Controller

count = 0
lock = threading.Lock()


class Counting:
    async def handle_DATA(self, server, session, envelope):
        global count
        with lock:
            count += 1
        return "250 OK"


def main() -> None:
    global count
    with socket.socket() as probe:  # aiosmtpd's start-up check needs a real port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Counting(), hostname="127.0.0.1", port=port, server_hostname="bench.localhost")
    controller.start()
    print(port, flush=True)
    for line in sys.stdin:
        if line.strip() == "take":
            with lock:
                taken, count = count, 0
            print(taken, flush=True)
    controller.stop()


if __name__ == "__main__":
    main()
