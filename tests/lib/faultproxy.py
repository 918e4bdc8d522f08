#!/usr/bin/python3
"""faultproxy.py: a TCP proxy in front of MariaDB that cuts the connection on cue.

Usage: faultproxy.py LISTEN_PORT_FILE TARGET_PORT --cut-on TEXT
It listens on 127.0.0.1 (a free port, written to LISTEN_PORT_FILE) and forwards every
connection to 127.0.0.1:TARGET_PORT.  When a client packet contains TEXT (for example
the COM_QUERY "COMMIT"), it closes both sides without forwarding that packet: the
client sees its connection lost at exactly that statement, as when a server or the
network dies at the worst moment.  Standard library only.
"""
import socket
import sys
import threading


def pipe(src, dst, cut, on_cut):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if cut is not None and cut in data:
                on_cut()
                return
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def serve(conn, target, cut):
    up = socket.create_connection(("127.0.0.1", target))

    def kill():
        for s in (conn, up):
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                s.close()
            except OSError:
                pass
        sys.stderr.write("faultproxy: cut the connection\n")

    threading.Thread(target=pipe, args=(conn, up, cut, kill), daemon=True).start()
    threading.Thread(target=pipe, args=(up, conn, None, kill), daemon=True).start()


def main():
    port_file, target = sys.argv[1], int(sys.argv[2])
    cut = None
    if len(sys.argv) > 4 and sys.argv[3] == "--cut-on":
        cut = sys.argv[4].encode()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(ls.getsockname()[1]))
    import os
    os.rename(port_file + ".tmp", port_file)
    while True:
        conn, _ = ls.accept()
        serve(conn, target, cut)


if __name__ == "__main__":
    main()
