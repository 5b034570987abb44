#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Collect the results of a `make check` run into one KTAP report.

usage: ktap.py RESULTS_DIR LANE [LANE...]

For each LANE, reads RESULTS_DIR/LANE.serial (the guest's serial console) and
RESULTS_DIR/LANE.status (the boot script's exit status), and:
  - takes the lane's KTAP lines (marked "VMXLAB-KTAP: " by tests/guest/lib.sh,
    wherever kernel messages landed around them, even inside them: see
    unsplice()) and checks every planned test reported;
  - counts each KUnit case printed between the VMXLAB-KUNIT markers;
  - saves `vmxlab caps --json` (between the VMXLAB-CAPS-JSON markers) as
    RESULTS_DIR/LANE.caps.json;
  - scans the whole serial log for kernel splats (WARN, BUG, Oops, lockdep,
    KASAN, ...), which fail the lane whatever the tests said;
  - fails the lane if the guest timed out or never reached the end.
RESULTS_DIR/host.ktap, if present, holds host-side results (builds, style)
as plain "ok N name" / "not ok N name" lines.

Writes the whole report to stdout and RESULTS_DIR/results.ktap, ending with
the line "N passed, N failed[, N skipped]". Exit status 0 only if nothing
failed and something passed.
"""
import json
import os
import re
import sys

MARK = re.compile(r"VMXLAB-KTAP: (.*)$")
# "ok N name", "not ok N name # comment", "ok N name # SKIP why": group 4
# is the directive (SKIP/TODO) if the comment starts with one, group 5 the rest.
RESULT = re.compile(r"^(not ok|ok) (\d+) ([^#]*?)\s*(?:#\s*(?:(SKIP|TODO)\b)?\s*(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)$")
# A kernel bug report, whoever printed it (see also SPLAT_RE in lib.sh).
SPLAT = re.compile(
    r"WARNING:|BUG:|Oops|Call Trace|possible circular locking|"
    r"possible recursive locking|inconsistent lock state|suspicious RCU usage|"
    r"INFO: lockdep|KASAN|UBSAN|kmemleak: \d+ new suspected|unreferenced object|"
    r"general protection fault|Kernel panic|"
    r"sleeping function called from invalid context|"
    r"list_add corruption|list_del corruption|RCU Stall|rcu_sched detected stall|"
    r"soft lockup|hung_task|blocked for more than")


class Lane:
    def __init__(self, name):
        self.name = name
        self.results = []  # (ok: bool|None for skip, name, comment)

    def add(self, ok, name, comment=""):
        self.results.append((ok, name, comment))


def strip_diag(line):
    """Lines inside marker blocks are prefixed with '# ' by the runner."""
    return line[2:] if line.startswith("# ") else line.lstrip("#")


def kunit_leaves(lines):
    """Leaf test results of a nested KTAP document, with their paths."""
    leaves = []
    has_children = {}
    names = {}
    for raw in lines:
        indent = len(raw) - len(raw.lstrip(" "))
        depth = indent // 4
        line = raw.strip()
        m = re.match(r"^# Subtest: (.*)$", line)
        if m:
            names[depth] = m.group(1)
            for d in [k for k in names if k > depth]:
                del names[d]
            continue
        m = RESULT.match(line)
        if not m:
            continue
        leaf = not has_children.get(depth, False)
        has_children[depth] = False
        for d in range(depth):
            has_children[d] = True
        if leaf:
            # A "# Subtest: X" line stands at the indentation of X's own
            # results, so a leaf at depth d belongs to the subtests named
            # at depths 1..d.
            path = [names[d] for d in range(1, depth + 1) if d in names]
            ok = m.group(1) == "ok"
            skip = m.group(4) == "SKIP"
            leaves.append((None if skip and ok else ok,
                           ".".join(path + [m.group(3).lstrip("- ").strip()]),
                           m.group(5) or ""))
    return leaves


def block(lines, begin, end):
    out, inside = [], False
    for line in lines:
        s = strip_diag(line.rstrip("\n"))
        if s.strip() == begin:
            inside, out = True, []
            continue
        if s.strip() == end and inside:
            return out
        if inside:
            out.append(s)
    return None


# A kernel message ("[    3.150207] text") that the console printed while
# a userspace line was half written splits that line: "VMX" + message +
# "LAB-KTAP: 1..48" (seen in a full run: the plan was lost). printk writes
# a message whole, newline included, so taking each one that does not start
# a line out of the text, to the end, mends the line it interrupted. Not
# after "# ": that is a test printing kernel-log lines on purpose.
KMSG_INSIDE = re.compile(r"(?<=[^\n])\[ *\d+\.\d{6}\] [^\n]*\n")


def unsplice(text):
    """The serial text with interrupting kernel messages moved to the end."""
    moved = []

    def take(m):
        if text[max(m.start() - 2, 0):m.start()] == "# ":
            return m.group(0)
        moved.append(m.group(0))
        return ""

    return KMSG_INSIDE.sub(take, text) + "\n" + "".join(moved)


def parse_lane(results_dir, name):
    lane = Lane(name)
    serial = os.path.join(results_dir, name + ".serial")
    try:
        with open(serial, errors="replace") as f:
            lines = unsplice(f.read().replace("\r", "")).split("\n")
    except OSError:
        lane.add(False, "serial log", "no " + serial)
        return lane
    status = "?"
    try:
        with open(os.path.join(results_dir, name + ".status")) as f:
            status = f.read().strip()
    except OSError:
        pass

    plan = None
    seen = {}
    for line in lines:
        m = MARK.search(line)
        if not m:
            continue
        body = m.group(1).strip()
        pm = PLAN.match(body)
        if pm:
            plan = int(pm.group(1))
            continue
        rm = RESULT.match(body)
        if not rm:
            continue
        num = int(rm.group(2))
        ok = rm.group(1) == "ok"
        if rm.group(4) == "SKIP" and ok:
            ok = None
        if num in seen:
            lane.add(False, "result %d reported twice" % num,
                     "%s / %s" % (seen[num][1], rm.group(3)))
        seen[num] = (ok, rm.group(3), rm.group(5) or "")

    if plan is None:
        lane.add(False, "test plan", "the lane printed no KTAP plan")
    else:
        for num in range(1, plan + 1):
            if num in seen:
                lane.add(*seen[num])
            else:
                lane.add(False, "test %d" % num, "missing result")

    kunit = block(lines, "VMXLAB-KUNIT-BEGIN", "VMXLAB-KUNIT-END")
    if kunit is not None:
        leaves = kunit_leaves(kunit)
        if not leaves:
            lane.add(False, "kunit", "no KUnit cases found")
        for ok, path, comment in leaves:
            lane.add(ok, "kunit." + path, comment)

    caps = block(lines, "VMXLAB-CAPS-JSON-BEGIN", "VMXLAB-CAPS-JSON-END")
    if caps is not None:
        text = "\n".join(caps) + "\n"
        try:
            json.loads(text)
            with open(os.path.join(results_dir, name + ".caps.json"), "w") as f:
                f.write(text)
        except ValueError as e:
            lane.add(False, "caps json", "not valid JSON: %s" % e)

    splats = [l for l in lines if SPLAT.search(l) and "VMXLAB-KTAP" not in l
              and not l.startswith("# ")]
    lane.add(not splats, "kernel log clean (host scan)",
             "; ".join(s.strip() for s in splats[:3]))
    # lane-vmx.sh's last test leaves a guest spinning for the power-off:
    # the machine must still get to the end of it.
    marks = [i for i, l in enumerate(lines) if "VMXLAB-POWEROFF-GUEST:" in l]
    if marks:
        down = any("reboot: Power down" in l for l in lines[marks[-1]:])
        lane.add(down, "power-off with a guest running",
                 "" if down else "no 'reboot: Power down' after the marker")
    done = any("VMXLAB-LANE-DONE" in l for l in lines)
    lane.add(done and status == "0", "lane completed",
             "" if done and status == "0" else
             "exit status %s%s" % (status, "" if done else ", guest never finished"
                                   + (" (time-out)" if status == "124" else "")))
    return lane


def parse_host(results_dir):
    lane = Lane("host")
    path = os.path.join(results_dir, "host.ktap")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        for line in f:
            m = RESULT.match(line.strip())
            if m:
                ok = m.group(1) == "ok"
                lane.add(None if ok and m.group(4) == "SKIP" else ok,
                         m.group(3), m.group(5) or "")
    return lane


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    results_dir = sys.argv[1]
    lanes = []
    host = parse_host(results_dir)
    if host:
        lanes.append(host)
    lanes += [parse_lane(results_dir, n) for n in sys.argv[2:]]

    out = ["KTAP version 1", "1..%d" % len(lanes)]
    passed = failed = skipped = 0
    for i, lane in enumerate(lanes, 1):
        out += ["    KTAP version 1", "    # Subtest: " + lane.name,
                "    1..%d" % len(lane.results)]
        lane_ok = True
        for j, (ok, name, comment) in enumerate(lane.results, 1):
            if ok is None:
                skipped += 1
                out.append("    ok %d %s # SKIP %s" % (j, name, comment))
            elif ok:
                passed += 1
                out.append("    ok %d %s" % (j, name))
            else:
                failed += 1
                lane_ok = False
                out.append("    not ok %d %s%s" % (j, name,
                                                   " # " + comment if comment else ""))
        if not lane.results:
            lane_ok = False
        out.append("%s %d %s" % ("ok" if lane_ok else "not ok", i, lane.name))
    if passed == 0:
        out.append("# nothing passed: a run that tests nothing is a failure")
    summary = "%d passed, %d failed" % (passed, failed)
    if skipped:
        summary += ", %d skipped" % skipped
    out.append(summary)
    text = "\n".join(out) + "\n"
    with open(os.path.join(results_dir, "results.ktap"), "w") as f:
        f.write(text)
    sys.stdout.write(text)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
