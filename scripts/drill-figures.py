#!/usr/bin/env python3
"""Median and worst outage per scenario from `zerospof drill --json` reports, side by side.

usage: scripts/drill-figures.py NAME=REPORT.json [NAME=REPORT.json ...]
Prints a Markdown table: per scenario and report, the median and worst api-write and etcd-write
outages over its runs, the verdicts, and the acknowledged writes lost; how soon a dead node's pods
ran elsewhere, per scenario; and what the watches delivered (docs/performance.md quotes it).
"""
import json
import statistics
import sys


def main(arguments):
    if not arguments or any("=" not in a for a in arguments):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    reports = []
    for argument in arguments:
        name, path = argument.split("=", 1)
        with open(path) as file:
            reports.append((name, json.load(file)))
    names = []
    for _, report in reports:
        for scenario in report["scenarios"]:
            if scenario["name"] not in names:
                names.append(scenario["name"])
    def figures(runs, probe):
        measured = [(s["unavailableSeconds"].get(probe), s) for s in runs]
        measured = [(o, s) for o, s in measured if o is not None]
        if not measured:
            return "-"
        outages = [o for o, _ in measured]
        worst, run = max(measured, key=lambda pair: pair[0])
        # Where the worst one fell, when the report says: a host rejoining after the heal can
        # cost more than the failover did (reports before outageStartSeconds say nothing).
        start = run.get("outageStartSeconds", {}).get(probe)
        held = run["faultSeconds"]["end"] - run["faultSeconds"]["start"]
        where = " after the heal" if start is not None and start >= held else ""
        return f"{statistics.median(outages):.2f} s / {worst:.2f} s{where}"

    header = "| scenario |" + "".join(
        f" {name}: api-write median / worst (budget) | etcd-write | verdicts | lost |"
        for name, _ in reports)
    print(header)
    print("|---|" + "---|---|---|---|" * len(reports))
    for scenario_name in names:
        row = f"| `{scenario_name}` |"
        for _, report in reports:
            runs = [s for s in report["scenarios"] if s["name"] == scenario_name]
            if not runs or figures(runs, "api-write") == "-":
                row += " - | - | - | - |"
                continue
            verdicts = {}
            for s in runs:
                verdicts[s["verdict"]] = verdicts.get(s["verdict"], 0) + 1
            budget = runs[0]["predicted"]["unavailableSeconds"]
            lost = sum(s["acknowledgedWritesLost"] for s in runs)
            row += (f" {figures(runs, 'api-write')} ({budget:.2f} s) | {figures(runs, 'etcd-write')} |"
                    f" {', '.join(f'{n} {v}' for v, n in sorted(verdicts.items()))} | {lost} |")
        print(row)
    for name, report in reports:
        for scenario_name in names:
            moved = [s for s in report["scenarios"] if s["name"] == scenario_name
                     and s.get("predicted", {}).get("podsRescheduledSeconds")]
            if not moved:
                continue
            times = [s["podsRescheduledSeconds"] for s in moved if s["podsRescheduledSeconds"] is not None]
            budget = moved[0]["predicted"]["podsRescheduledSeconds"]
            shown = (f"median {statistics.median(times):.1f} s, worst {max(times):.1f} s"
                     if times else "never")
            print(f"\n{name}: `{scenario_name}`, the pods running elsewhere after {shown} "
                  f"(budget {budget:.1f} s, {len(times)} of {len(moved)} runs)")
    for name, report in reports:
        watched = [s["watch"] for s in report["scenarios"] if s.get("watch")]
        if watched:
            delivered = sum(1 for w in watched if w["delivered"])
            print(f"\n{name}: watches delivered every acknowledged write once and in order in "
                  f"{delivered} of {len(watched)} scenario runs ({sum(w['events'] for w in watched)} "
                  f"events, {sum(w['missing'] for w in watched)} missing, "
                  f"{sum(w['reconnects'] for w in watched)} reconnects)")
    for name, report in reports:
        watched = [s["watch"] for s in report["scenarios"] if s.get("watch")]
        expired = sum(w.get("expired", 0) for w in watched)
        if expired:
            print(f"\n{name}: {expired} watch(es) refused with 410 Gone and listed again, "
                  f"{sum(w.get('relisted', 0) for w in watched)} acknowledged writes reached them "
                  f"only as the listed state")
        pauses = [p for s in report["scenarios"] for p in s.get("drillPauses", [])]
        if pauses:
            excused = sum(1 for s in report["scenarios"] for reason in s["reasons"]
                          if "the drill itself was paused" in reason)
            print(f"\n{name}: the drill itself was paused {len(pauses)} times, "
                  f"{sum(p['seconds'] for p in pauses):.1f} s in all, longest "
                  f"{max(p['seconds'] for p in pauses):.2f} s; {excused} outage(s) over the "
                  f"budget only with those pauses (inconclusive)")
    for name, report in reports:
        writes = sum(s["acknowledgedWrites"] for s in report["scenarios"])
        lost = sum(s["acknowledgedWritesLost"] for s in report["scenarios"])
        linear = sum(1 for s in report["scenarios"] if s["linearizable"] is True)
        print(f"\n{name}: {len(report['scenarios'])} scenario runs, {writes} acknowledged writes, "
              f"{lost} lost, {linear} of {len(report['scenarios'])} histories linearizable "
              f"(tuning {report['tuning']}, seed {report['seed']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
