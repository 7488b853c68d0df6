#!/usr/bin/env python3
"""bench/scale_run.py: run a command, report its wall time and peak RSS.

    scale_run.py RESULT [--stdout FILE] [--stderr FILE] -- COMMAND [ARG...]

Writes `wall_ms peak_rss_kb status` to RESULT and exits with the command's
status. The peak RSS is ru_maxrss from wait4(): the largest resident set of
the command or of any descendant it waited for (a shell pipeline counts).
"""
import os
import sys
import time


def main():
    args = sys.argv[1:]
    result, out, err = args.pop(0), None, None
    while args and args[0] != "--":
        opt = args.pop(0)
        if opt == "--stdout":
            out = args.pop(0)
        elif opt == "--stderr":
            err = args.pop(0)
        else:
            sys.exit("scale_run: unknown option " + opt)
    cmd = args[1:]
    t = time.monotonic()
    pid = os.fork()
    if pid == 0:
        if out:
            fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 1)
        if err:
            fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(fd, 2)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = (time.monotonic() - t) * 1000.0
    code = os.waitstatus_to_exitcode(status)
    with open(result, "w") as f:
        f.write("%.1f %d %d\n" % (wall, usage.ru_maxrss, code))
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main()
