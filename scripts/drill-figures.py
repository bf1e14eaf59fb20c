#!/usr/bin/env python3
"""Median and worst outage per scenario from `zerospof drill --json` reports, side by side.

usage: scripts/drill-figures.py NAME=REPORT.json [NAME=REPORT.json ...]
Prints a Markdown table: per scenario and report, the median and worst api-write outage over its
runs, the verdicts, and the acknowledged writes lost; and how soon a dead worker's pods ran
elsewhere (docs/performance.md quotes it).
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
    header = "| scenario |" + "".join(
        f" {name}: api-write median / worst (budget) | verdicts | lost |" for name, _ in reports)
    print(header)
    print("|---|" + "---|---|---|" * len(reports))
    for scenario_name in names:
        row = f"| `{scenario_name}` |"
        for _, report in reports:
            runs = [s for s in report["scenarios"] if s["name"] == scenario_name]
            outages = [s["unavailableSeconds"]["api-write"] for s in runs
                       if s["unavailableSeconds"]["api-write"] is not None]
            if not runs or not outages:
                row += " - | - | - |"
                continue
            verdicts = {}
            for s in runs:
                verdicts[s["verdict"]] = verdicts.get(s["verdict"], 0) + 1
            budget = runs[0]["predicted"]["unavailableSeconds"]
            lost = sum(s["acknowledgedWritesLost"] for s in runs)
            row += (f" {statistics.median(outages):.2f} s / {max(outages):.2f} s ({budget:.2f} s) |"
                    f" {', '.join(f'{n} {v}' for v, n in sorted(verdicts.items()))} | {lost} |")
        print(row)
    for name, report in reports:
        moved = [s for s in report["scenarios"] if s.get("predicted", {}).get("podsRescheduledSeconds")]
        if moved:
            times = [s["podsRescheduledSeconds"] for s in moved if s["podsRescheduledSeconds"] is not None]
            budget = moved[0]["predicted"]["podsRescheduledSeconds"]
            shown = (f"median {statistics.median(times):.1f} s, worst {max(times):.1f} s"
                     if times else "never")
            print(f"\n{name}: a dead worker's pods running elsewhere after {shown} "
                  f"(budget {budget:.1f} s, {len(times)} of {len(moved)} runs)")
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
