#!/usr/bin/python3
"""faultproxy.py: a TCP proxy in front of MariaDB that cuts the connection on cue.

Usage: faultproxy.py LISTEN_PORT_FILE TARGET_PORT [--cut-on TEXT | --hang-on TEXT]
It listens on 127.0.0.1 (a free port, written to LISTEN_PORT_FILE) and forwards every
connection to 127.0.0.1:TARGET_PORT.  When a client packet contains TEXT (for example
the COM_QUERY "COMMIT"), it does not forward that packet, and:
  --cut-on   closes both sides: the client sees its connection lost at exactly that
             statement, as when a server or the network dies at the worst moment; the
             server sees the connection closed at once;
  --hang-on  closes the client's side only and keeps the server's side open and silent,
             as a network partition looks to the server: nothing arrives, nothing says
             the client is gone, so the server keeps the session (and its transaction)
             until its wait_timeout.
Standard library only.
"""
import os
import socket
import sys
import threading

HUNG = []	# server-side sockets kept open (and referenced) after a hang


def rst_close(s):
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    except OSError:
        pass


def pipe(src, dst, cut, on_cut, state):
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
        if not state["hung"]:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def serve(conn, target, cut, hang):
    up = socket.create_connection(("127.0.0.1", target))
    state = {"hung": False}

    def kill():
        if hang:
            state["hung"] = True
            HUNG.append(up)
            rst_close(conn)
            sys.stderr.write("faultproxy: hung the connection (server side kept open)\n")
            return
        for s in (conn, up):
            rst_close(s)
        sys.stderr.write("faultproxy: cut the connection\n")

    threading.Thread(target=pipe, args=(conn, up, cut, kill, state), daemon=True).start()
    # Replies are forwarded until a hang; then the server side is left unread.
    threading.Thread(target=pipe, args=(up, conn, None, kill, state), daemon=True).start()


def main():
    port_file, target = sys.argv[1], int(sys.argv[2])
    cut, hang = None, False
    if len(sys.argv) > 4 and sys.argv[3] in ("--cut-on", "--hang-on"):
        cut = sys.argv[4].encode()
        hang = sys.argv[3] == "--hang-on"
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(ls.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    while True:
        conn, _ = ls.accept()
        serve(conn, target, cut, hang)


if __name__ == "__main__":
    main()
