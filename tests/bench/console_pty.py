#!/usr/bin/env python3
"""console_pty — drives a full-screen program in a pseudo-terminal the way a
person does, and measures it: keypress-to-screen latency (from writing the
key to the end of the burst of output it causes), bytes written to the
terminal per keypress, and the CPU an idle session uses.

usage: console_pty.py keys    COLS ROWS N KEYSEQ -- COMMAND...
       console_pty.py idle    COLS ROWS SECONDS     -- COMMAND...
       console_pty.py output  COLS ROWS             -- COMMAND...   (prints its
                              output's last line, e.g. --bench-exit-after-first-frame)
KEYSEQ is one key per press ("j", "s", "DOWN", "ENTER") or "A,B" to press A
then B alternately. Prints one line of key=value figures.
"""
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import termios
import time

KEYS = {"DOWN": b"\x1b[B", "UP": b"\x1b[A", "ENTER": b"\r", "ESC": b"\x1b"}
QUIET = 0.015  # a burst ends after this much silence


def spawn(cols, rows, argv):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = os.environ.get("BENCH_TERM", "xterm-256color")
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    return pid, fd


def drain(fd, quiet, limit):
    """Reads until `quiet` seconds pass without output (or `limit`); returns
    (bytes, time of the last byte)."""
    total, last, end = 0, None, time.monotonic() + limit
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        total += len(data)
        last = time.monotonic()
    return total, last


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def stop(pid, fd):
    try:
        os.kill(pid, signal.SIGTERM)
        drain(fd, 0.1, 2)
        os.waitpid(pid, 0)
    except (OSError, ChildProcessError):
        pass


def main():
    mode, rest = sys.argv[1], sys.argv[2:]
    sep = rest.index("--")
    args, argv = rest[:sep], rest[sep + 1:]
    cols, rows = int(args[0]), int(args[1])
    pid, fd = spawn(cols, rows, argv)
    if mode == "output":
        buf = b""
        while True:
            r, _, _ = select.select([fd], [], [], 30)
            try:
                data = os.read(fd, 65536) if r else b""
            except OSError:
                data = b""
            if not data:
                break
            buf += data
        os.waitpid(pid, 0)
        text = re.sub(r"\x1b(\[[0-9;?]*[A-Za-z]|[=>]|[()][0-9A-Za-z])", "", buf.decode("utf-8", "replace"))
        lines = [l for l in text.splitlines() if l.strip()]
        print(lines[-1].strip() if lines else "")
        return
    drain(fd, 0.5, 30)  # the first frame and anything it triggers
    if mode == "keys":
        n, seq = int(args[2]), args[3].split(",")
        lat, sizes = [], []
        for i in range(n):
            key = seq[i % len(seq)]
            drain(fd, 0.002, 0.05)  # nothing pending before the press
            t0 = time.monotonic()
            os.write(fd, KEYS.get(key, key.encode()))
            r, _, _ = select.select([fd], [], [], 2)  # the answer's first byte
            if not r:
                continue
            size, last = drain(fd, QUIET, 5)
            if last is not None:
                lat.append((last - t0) * 1000)
                sizes.append(size)
        print(f"presses={n} answered={len(lat)} median_ms={statistics.median(lat):.2f} "
              f"p95_ms={sorted(lat)[int(len(lat) * 0.95) - 1]:.2f} "
              f"median_bytes={int(statistics.median(sizes))}")
    else:
        secs = float(args[2])
        c0, t0 = cpu_ticks(pid), time.monotonic()
        out = 0
        while time.monotonic() - t0 < secs:
            size, _ = drain(fd, 0.2, secs)
            out += size
        c1, t1 = cpu_ticks(pid), time.monotonic()
        pct = (c1 - c0) / os.sysconf("SC_CLK_TCK") / (t1 - t0) * 100
        print(f"seconds={t1 - t0:.1f} cpu_pct={pct:.2f} bytes_per_s={out / (t1 - t0):.0f}")
    stop(pid, fd)


if __name__ == "__main__":
    main()
