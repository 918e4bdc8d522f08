#!/usr/bin/python3
"""delayproxy.py: a TCP proxy that delays every packet by D ms each way (a slow link).

Usage: delayproxy.py LISTEN_PORT_FILE TARGET_PORT DELAY_MS
Listens on 127.0.0.1 (a free port, written to LISTEN_PORT_FILE) and forwards each
connection to 127.0.0.1:TARGET_PORT; whatever arrives from either side is sent on
DELAY_MS later, in order, so a round trip through it takes 2 x DELAY_MS more.
Standard library only (asyncio).
"""
import asyncio
import os
import sys


async def pump(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def sender():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    task = asyncio.create_task(sender())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((loop.time() + delay, data))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((loop.time() + delay, None))
    try:
        await task
    except (ConnectionError, OSError):
        pass


async def main():
    port_file, target, delay = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]) / 1000

    async def client(creader, cwriter):
        try:
            ureader, uwriter = await asyncio.open_connection("127.0.0.1", target)
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(pump(creader, uwriter, delay), pump(ureader, cwriter, delay))

    server = await asyncio.start_server(client, "127.0.0.1", 0)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
