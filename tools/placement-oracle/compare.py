#!/usr/bin/env python3
"""Compare `kitanetz place` with an independent oracle: PyPI `matching` (HospitalResident).

Usage:
  python3 compare.py INSTANCE.json [--cmd "kitanetz place"] [--result RESULT.json]

Solves the instance with matching's resident-optimal Hospital/Residents algorithm (children are
residents, programs are hospitals ranking the children that wish them by points, then the
smaller lottery, then the child id), runs `CMD --instance INSTANCE.json --check` (unless a result
file is given), and reports whether both assignments agree, plus both run times. Instances with
`together` groups or `current` seats are outside the textbook model: the script says so and
compares only if neither occurs.

Requires `pip install matching` (checked with matching 1.4.3).
"""

import argparse
import json
import shlex
import subprocess
import sys
import time


def oracle(inst):
    from matching.games import HospitalResident

    cap = {p["id"]: int(p["capacity"]) for p in inst["programs"]}
    prio = inst.get("priorities", {})
    children = {c["id"]: c for c in inst["children"]}
    resident_prefs = {}
    for c in inst["children"]:
        wishes = [w for w in c["wishes"] if cap[w] > 0]
        if wishes:
            resident_prefs[c["id"]] = wishes
    wishers = {}
    for cid, wishes in resident_prefs.items():
        for w in wishes:
            wishers.setdefault(w, []).append(cid)
    hospital_prefs = {}
    for p, cs in wishers.items():
        row = prio.get(p, {})
        hospital_prefs[p] = sorted(
            cs, key=lambda c: (-row.get(c, 0), children[c]["lottery"], c)
        )
    capacities = {p: cap[p] for p in hospital_prefs}
    t0 = time.perf_counter()
    game = HospitalResident.create_from_dictionaries(
        resident_prefs, hospital_prefs, capacities
    )
    matching = game.solve(optimal="resident")
    elapsed = time.perf_counter() - t0
    assignment = {cid: None for cid in children}
    for hospital, residents in matching.items():
        for r in residents:
            assignment[r.name] = hospital.name
    return assignment, elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance")
    ap.add_argument("--cmd", default="kitanetz place", help="command that runs the engine")
    ap.add_argument("--result", help="use this kitanetz result file instead of running --cmd")
    args = ap.parse_args()

    with open(args.instance) as f:
        inst = json.load(f)
    if any(c.get("together") or c.get("current") for c in inst["children"]):
        print("instance has groups or current seats: outside the textbook model, not compared")
        return 2

    if args.result:
        with open(args.result) as f:
            ours = json.load(f)
        ours_time = float("nan")
    else:
        cmd = shlex.split(args.cmd) + ["--instance", args.instance, "--check"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        ours_time = time.perf_counter() - t0
        if proc.returncode != 0:
            print(f"kitanetz exited {proc.returncode}: {proc.stderr.strip()[:2000]}")
            return 1
        ours = json.loads(proc.stdout)

    theirs, oracle_time = oracle(inst)
    mine = ours["assignment"]
    diff = [c for c in theirs if theirs[c] != mine.get(c)]
    n = len(theirs)
    cert = ours["protocol"]["certificate"]
    print(
        f"children={n} programs={len(inst['programs'])} "
        f"kitanetz_wall_s={ours_time:.3f} (incl. JSON I/O, protocol, check) "
        f"oracle_solve_s={oracle_time:.3f} (matching, solve only) "
        f"blocking_pairs={cert['blocking_pairs']} waste={cert['waste']} "
        f"differences={len(diff)}"
    )
    for c in diff[:10]:
        print(f"  {c}: kitanetz={mine.get(c)} oracle={theirs[c]}")
    return 0 if not diff else 1


if __name__ == "__main__":
    # matching deep-copies its game recursively: give it a deep stack in a worker thread.
    import threading

    sys.setrecursionlimit(10_000_000)
    threading.stack_size(1 << 30)
    result = []
    worker = threading.Thread(target=lambda: result.append(main()))
    worker.start()
    worker.join()
    sys.exit(result[0] if result else 1)
