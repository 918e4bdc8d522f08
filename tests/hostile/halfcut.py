#!/usr/bin/python3
"""halfcut.py: a TCP proxy in front of MariaDB that cuts only the client's side.

Usage: halfcut.py LISTEN_PORT_FILE TARGET_PORT CUT_TEXT
Like tests/lib/faultproxy.py, but when a client packet contains CUT_TEXT (e.g. the
COM_QUERY "COMMIT") it resets the client's connection and keeps the server's side open
and silent, without forwarding the packet: the server never learns that the client is
gone, as after a network partition or a firewall dropping the flow.  The transaction
and its row locks then live until the server's own timeouts for that session
(wait_timeout) end it.  SIGTERM closes everything.  Standard library only.
"""
import os
import signal
import socket
import sys
import threading

held = []


def serve(conn, target, cut):
    up = socket.create_connection(("127.0.0.1", target))

    def down():         # server -> client, until the client side is gone
        try:
            while True:
                data = up.recv(65536)
                if not data:
                    break
                conn.sendall(data)
        except OSError:
            pass

    def upward():       # client -> server, until CUT_TEXT
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                if cut in data:
                    held.append(up)      # never closed, never read again
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    conn.close()
                    sys.stderr.write("halfcut: cut the client, server side kept open\n")
                    return
                up.sendall(data)
        except OSError:
            pass
        try:
            up.close()
        except OSError:
            pass

    threading.Thread(target=upward, daemon=True).start()
    threading.Thread(target=down, daemon=True).start()


def main():
    port_file, target, cut = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(ls.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    while True:
        conn, _ = ls.accept()
        serve(conn, target, cut)


if __name__ == "__main__":
    main()
