#!/usr/bin/env python3
"""Raw HTTP clients the server tests need and curl cannot be (tests only):

  rawhttp.py slow HOST:PORT WAIT      half a request, then silence: prints
                                      "closed after N" (seconds) or "open"
  rawhttp.py hold HOST:PORT N SECS    N idle connections held SECS seconds
  rawhttp.py halfpost HOST:PORT DIR   a POST whose body stops halfway; when
                                      DIR/go appears, the rest: prints the
                                      status line (DIR/ready when waiting)
"""
import os
import socket
import sys
import time


def connect(addr):
    host, port = addr.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=30)


def slow(addr, wait):
    s = connect(addr)
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    start = time.time()
    s.settimeout(float(wait))
    try:
        while s.recv(4096):
            pass
        print("closed after %d" % round(time.time() - start))
    except socket.timeout:
        print("open")


def hold(addr, n, secs):
    conns = [connect(addr) for _ in range(int(n))]
    print("holding %d" % len(conns), flush=True)
    time.sleep(float(secs))


def halfpost(addr, d):
    s = connect(addr)
    s.sendall(b"POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n"
              b"Connection: close\r\n\r\n01234")
    open(os.path.join(d, "ready"), "w").close()
    while not os.path.exists(os.path.join(d, "go")):
        time.sleep(0.05)
    s.sendall(b"56789")
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    print(data.split(b"\r\n", 1)[0].decode())


cmd = sys.argv[1]
if cmd == "slow":
    slow(sys.argv[2], sys.argv[3])
elif cmd == "hold":
    hold(sys.argv[2], sys.argv[3], sys.argv[4])
elif cmd == "halfpost":
    halfpost(sys.argv[2], sys.argv[3])
else:
    sys.exit("rawhttp.py: unknown command " + cmd)
