#!/usr/bin/python3
"""stallprobe.py: CloudStack's heartbeat on one host row, every millisecond.

Usage: stallprobe.py SOCKET USER PASSWORD DB HOST_ID OUT_FILE STOP_FILE
On its own direct connection (autocommit), it runs
  UPDATE host SET last_ping = last_ping + 1 WHERE id = HOST_ID
once a millisecond (back to back when an update takes longer) until STOP_FILE exists,
and writes "START_S DURATION_MS" for every update that took over 0.5 ms to OUT_FILE
(START_S in seconds since the epoch, as `date +%s.%N`).  Needs python3-pymysql.
"""
import os
import sys
import time

import pymysql


def main():
    sock, user, password, db, host_id, out, stop = sys.argv[1:8]
    conn = pymysql.connect(unix_socket=sock, user=user, password=password, database=db,
                           autocommit=True)
    cur = conn.cursor()
    cur.execute("SET SESSION innodb_lock_wait_timeout = 120")
    with open(out, "w") as f:
        f.write("ready\n")
        f.flush()
        n = 0
        while not os.path.exists(stop):
            wall, t0 = time.time(), time.monotonic()
            cur.execute("UPDATE host SET last_ping = last_ping + 1 WHERE id = %s",
                        (int(host_id),))
            t1 = time.monotonic()
            if t1 - t0 > 0.0005:
                f.write("%.6f %.3f\n" % (wall, (t1 - t0) * 1000))
            n += 1
            if n % 200 == 0:
                f.flush()
            rest = 0.001 - (time.monotonic() - t0)
            if rest > 0:
                time.sleep(rest)
    conn.close()


if __name__ == "__main__":
    main()
