#!/usr/bin/env python3
"""Print the transport benchmark table and check the targets.

Usage: report.py RESULTS_TSV CONTEXT_FILE [MARKDOWN_FILE]

RESULTS_TSV has a header row and one row per h2load run, written by
scripts/bench-transport.sh; a cell measured in several rounds shows the median of its rounds
for req/s, p50 and p99, the lowest and highest req/s, and the sum of its failures.
CONTEXT_FILE holds "key: value" lines describing the run (machine, versions, parameters).
The table goes to stdout; with MARKDOWN_FILE the same table and verdicts are also written
there as Markdown.

Targets (docs/benchmarks/transport.md explains them):
  - h2c at -c 100 -m 10: odds-edge req/s at least 1.0x nghttpd's;
  - -c 1 -m 1: odds-edge p99 no worse than nghttpd's (checked for h2c and TLS);
  - and odds-edge has no failed, errored or timed-out requests and no non-2xx
    answers in any run.
"""

import csv
import statistics
import sys

OURS = "odds-edge"
REFERENCE = "nghttpd"
THROUGHPUT_CASE = "-c 100 -m 10"
LATENCY_CASE = "-c 1 -m 1"
MIN_THROUGHPUT_RATIO = 1.0
MAX_P99_RATIO = 1.0

COLUMNS = ["protocol", "case", "server", "threads", "req/s", "req/s range", "vs nghttpd",
           "p50 ms", "p99 ms", "failed / errored", "notes"]
COUNTS = ("succeeded", "failed", "errored", "timeout", "non_2xx")


def number(text):
    try:
        return float(text)
    except ValueError:
        return None


def median_text(values, digits):
    numbers = [value for value in map(number, values) if value is not None]
    return f"{statistics.median(numbers):.{digits}f}" if numbers else "-"


def merge_rounds(runs):
    """One row per protocol, case and server, from that cell's rounds in run order."""
    cells = {}
    for run in runs:
        cells.setdefault((run["protocol"], run["case"], run["server"]), []).append(run)
    rows = []
    for (protocol, case, server), rounds in cells.items():
        rates = [value for value in (number(run["rps"]) for run in rounds) if value is not None]
        row = {
            "protocol": protocol, "case": case, "server": server,
            "threads": rounds[0]["threads"],
            "rps": median_text([run["rps"] for run in rounds], 0),
            "range": f"{min(rates):.0f}-{max(rates):.0f}" if rates else "-",
            "p50_ms": median_text([run["p50_ms"] for run in rounds], 3),
            "p99_ms": median_text([run["p99_ms"] for run in rounds], 3),
            "note": "; ".join(f"round {run['round']}: {run['note']}"
                              for run in rounds if run["note"]),
        }
        for key in COUNTS:
            known = [int(run[key]) for run in rounds if run[key] != "-"]
            row[key] = str(sum(known)) if len(known) == len(rounds) else "-"
        rows.append(row)
    return rows


def notes_for(row):
    notes = []
    if row["timeout"] not in ("0", "-"):
        notes.append(f"{row['timeout']} timeout")
    if row["non_2xx"] not in ("0", "-"):
        notes.append(f"{row['non_2xx']} non-2xx")
    if row["note"]:
        notes.append(row["note"])
    return "; ".join(notes)


def table_rows(rows, find):
    out = []
    for row in rows:
        reference = find(row["protocol"], row["case"], REFERENCE)
        rps, reference_rps = number(row["rps"]), number(reference["rps"]) if reference else None
        ratio = f"{rps / reference_rps:.2f}x" if rps and reference_rps else "-"
        out.append([row["protocol"], row["case"], row["server"], row["threads"], row["rps"],
                    row["range"], ratio, row["p50_ms"], row["p99_ms"],
                    f"{row['failed']} / {row['errored']}", notes_for(row)])
    return out


def verdicts(rows, find):
    results = []

    ours, reference = find("h2c", THROUGHPUT_CASE, OURS), find("h2c", THROUGHPUT_CASE, REFERENCE)
    ours_rps = number(ours["rps"]) if ours else None
    reference_rps = number(reference["rps"]) if reference else None
    if ours_rps and reference_rps:
        ratio = ours_rps / reference_rps
        ok = ratio >= MIN_THROUGHPUT_RATIO
        detail = f"{ours_rps:.0f} / {reference_rps:.0f} req/s = {ratio:.2f}x"
    else:
        ok, detail = False, "no measurement"
    results.append((ok, f"h2c {THROUGHPUT_CASE} req/s >= {MIN_THROUGHPUT_RATIO:.1f}x nghttpd",
                    detail))

    for protocol in ("h2c", "tls"):
        ours = find(protocol, LATENCY_CASE, OURS)
        reference = find(protocol, LATENCY_CASE, REFERENCE)
        ours_p99 = number(ours["p99_ms"]) if ours else None
        reference_p99 = number(reference["p99_ms"]) if reference else None
        if ours_p99 is not None and reference_p99:
            ratio = ours_p99 / reference_p99
            ok = ratio <= MAX_P99_RATIO
            detail = f"{ours_p99:.3f} / {reference_p99:.3f} ms = {ratio:.2f}x"
        else:
            ok, detail = False, "no measurement"
        results.append((ok, f"{protocol} {LATENCY_CASE} p99 <= nghttpd", detail))

    troubled = []
    for row in rows:
        if row["server"] != OURS:
            continue
        counts = [row[key] for key in COUNTS[1:]]
        if any(count != "0" for count in counts) or row["note"]:
            troubled.append(f"{row['protocol']} {row['case']}")
    results.append((not troubled, "odds-edge: no failed requests, errors or crashes",
                    "trouble in: " + ", ".join(troubled) if troubled else "clean"))
    return results


def text_table(header, body):
    widths = [max(len(str(line[i])) for line in [header] + body) for i in range(len(header))]
    numeric = {"threads", "req/s", "req/s range", "vs nghttpd", "p50 ms", "p99 ms"}

    def render(line):
        cells = []
        for name, width, cell in zip(header, widths, line):
            cells.append(str(cell).rjust(width) if name in numeric else str(cell).ljust(width))
        return "  ".join(cells).rstrip()

    lines = [render(header), render(["-" * w for w in widths])]
    lines.extend(render(line) for line in body)
    return "\n".join(lines)


def markdown(context, header, body, results):
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(" --- " for _ in header) + "|"]
    lines.extend("| " + " | ".join(str(cell) for cell in line) + " |" for line in body)
    lines.append("")
    lines.extend(f"- {'PASS' if ok else 'FAIL'}: {name} ({detail})"
                 for ok, name, detail in results)
    lines.append("")
    lines.append("Run:")
    lines.append("")
    lines.extend(f"- {line}" for line in context)
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as results_file:
        rows = merge_rounds(csv.DictReader(results_file, delimiter="\t"))
    with open(sys.argv[2], encoding="utf-8") as context_file:
        context = [line.rstrip("\n") for line in context_file if line.strip()]

    def find(protocol, case, server):
        return next((row for row in rows if (row["protocol"], row["case"], row["server"])
                     == (protocol, case, server)), None)

    body = table_rows(rows, find)
    results = verdicts(rows, find)

    print(text_table(COLUMNS, body))
    print()
    for ok, name, detail in results:
        print(f"{'PASS' if ok else 'FAIL'}  {name}  ({detail})")
    print()
    for line in context:
        print(line)

    if len(sys.argv) == 4:
        with open(sys.argv[3], "w", encoding="utf-8") as out:
            out.write(markdown(context, COLUMNS, body, results))


if __name__ == "__main__":
    main()
