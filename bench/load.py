"""A load generator, run as its own process: python -m bench.load MODE ... (prints JSON).

- ``closed HOST PORT SECONDS CONCURRENCY PATH...``: CONCURRENCY clients, each sending
  its next request as soon as the last one answered: the saturation throughput.
- ``open HOST PORT SECONDS RATE PATH...``: requests sent on a fixed schedule (RATE per
  second) whatever the answers; each latency counts from the moment the request was
  due, so a slow server cannot hide its queue (no coordinated omission).

Paths are used in turn. Every request carries the headers given as ``-H 'Name: value'``.
A connection is kept alive and reused; the open mode opens more when all are busy.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time


async def _send(reader, writer, request: bytes) -> tuple[int, bool]:
    """Send one request, read the whole answer: its status, and whether the connection
    may be used again (gunicorn's sync workers close it after each answer)."""
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("closed before answering")
    length, chunked, keep = 0, False, True
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _colon, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
        elif name.lower() == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name.lower() == "connection" and "close" in value.lower():
            keep = False
    if chunked:
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(length)
    return int(status_line.split()[1]), keep


class Target:
    def __init__(self, host: str, port: int, paths: list[str], headers: list[str]) -> None:
        self.host, self.port = host, port
        extra = "".join(f"{h}\r\n" for h in headers)
        self.requests = itertools.cycle(
            f"GET {p} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode() for p in paths
        )
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}

    async def connection(self):
        if self.idle:
            return self.idle.pop()
        return await asyncio.open_connection(self.host, self.port)

    async def one(self, due: float) -> None:
        request = next(self.requests)
        reader, writer = await self.connection()
        try:
            status, keep = await _send(reader, writer, request)
        except (ConnectionError, asyncio.IncompleteReadError):
            # A kept-alive connection the server had closed: once more on a new one.
            writer.close()
            reader, writer = await asyncio.open_connection(self.host, self.port)
            status, keep = await _send(reader, writer, request)
        self.latencies.append(time.perf_counter() - due)
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        if keep:
            self.idle.append((reader, writer))
        else:
            writer.close()


async def closed(target: Target, seconds: float, concurrency: int) -> float:
    stop = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < stop:
            await target.one(time.perf_counter())

    begin = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return time.perf_counter() - begin


async def open_loop(target: Target, seconds: float, rate: float) -> float:
    begin = time.perf_counter()
    tasks = []
    for n in range(int(seconds * rate)):
        due = begin + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.ensure_future(target.one(due)))
    await asyncio.gather(*tasks)
    return time.perf_counter() - begin


def main(argv: list[str]) -> None:
    headers = [argv[i + 1] for i, a in enumerate(argv) if a == "-H"]
    args = [a for i, a in enumerate(argv) if a != "-H" and (i == 0 or argv[i - 1] != "-H")]
    mode, host, port, seconds, amount, *paths = args
    target = Target(host, int(port), paths, headers)
    if mode == "closed":
        elapsed = asyncio.run(closed(target, float(seconds), int(amount)))
    else:
        elapsed = asyncio.run(open_loop(target, float(seconds), float(amount)))
    latencies = sorted(target.latencies)
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "per_second": len(latencies) / elapsed,
                "p50": latencies[len(latencies) // 2],
                "p95": latencies[int(len(latencies) * 0.95) - 1],
                "statuses": target.statuses,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
