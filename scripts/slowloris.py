#!/usr/bin/env python3
"""Slow-client check: opens N sockets that send part of a request's headers and stop (a
slowloris), against a running `silkstream serve`, and prints the server's resident memory and
open file descriptors before, during and after, and whether /healthz answered on a fresh
connection meanwhile. With --body each socket sends complete headers of `POST /api/v1/buyers`
(no token, `Content-Length: 1000`) and one byte of body instead (a stalled body).

    scripts/slowloris.py --pid PID [--host 127.0.0.1] [--port 8080] [--sockets 5000] [--hold 5]
                         [--body]

Stays under 20,000 open files: raise `ulimit -n` for this script if N is above ~1,000.
"""
import argparse
import socket
import time
import urllib.request


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def fds(pid):
    try:
        import os
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return -1


def healthz(host, port):
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=5) as r:
            return r.status, time.monotonic() - started
    except Exception as e:  # noqa: BLE001 - any failure is the answer
        return f"failed: {e}", time.monotonic() - started


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--sockets", type=int, default=5000)
    p.add_argument("--hold", type=float, default=5.0, help="seconds to hold them open")
    p.add_argument("--body", action="store_true", help="stall request bodies, not heads")
    a = p.parse_args()
    sent = (b"POST /api/v1/buyers HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{") if a.body else b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "
    print(f"before: rss {rss_mb(a.pid):.1f} MB, {fds(a.pid)} fds")
    socks, refused = [], 0
    for _ in range(a.sockets):
        s = socket.socket()
        try:
            s.connect((a.host, a.port))
            s.sendall(sent)
            socks.append(s)
        except OSError:
            refused += 1
            s.close()
    status, took = healthz(a.host, a.port)
    print(f"during: {len(socks)} partial sockets opened ({refused} refused), "
          f"rss {rss_mb(a.pid):.1f} MB, {fds(a.pid)} fds, /healthz {status} in {took * 1000:.0f} ms")
    time.sleep(a.hold)
    closed = 0
    for s in socks:
        s.setblocking(False)
        try:
            # A refused or cut request may have been answered first: read past the answer.
            while True:
                if s.recv(65536) == b"":
                    closed += 1
                    break
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    status, took = healthz(a.host, a.port)
    print(f"after {a.hold:.0f} s: {closed} of them closed by the server, rss {rss_mb(a.pid):.1f} MB, "
          f"{fds(a.pid)} fds, "
          f"/healthz {status} in {took * 1000:.0f} ms")
    for s in socks:
        s.close()
    time.sleep(1)
    print(f"after closing ours: rss {rss_mb(a.pid):.1f} MB, {fds(a.pid)} fds, /healthz {healthz(a.host, a.port)[0]}")


if __name__ == "__main__":
    main()
