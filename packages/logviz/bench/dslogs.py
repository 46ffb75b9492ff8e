#!/usr/bin/env python3
# The baseline of logviz's print-mode figure (docs/performance.md): a reimplementation of the core
# loop of dslogs.py from Jose Javier Gonzalez's blog post "Debugging by Pretty Printing" (the script
# 6.5840 students use), written from the post's description, not a copy of it. Like the original it
# reads dslogs lines (`<time> <TOPIC> S<n> <message>`), keeps the wanted topics, colours each topic,
# and prints one rich `Columns` row per line with the message in its peer's column (TEST lines and
# lines that do not parse span the width). The command-line front end (typer) is replaced by
# argparse; the per-line work, where its time goes, is the same: one rich Columns render per line.
import argparse
import sys

from rich import print
from rich.columns import Columns
from rich.console import Console

TOPICS = {
    "TIMR": "#9a9a99",
    "VOTE": "#67a0b2",
    "LEAD": "#d0b343",
    "TERM": "#70c43f",
    "LOG1": "#4878bc",
    "LOG2": "#398280",
    "CMIT": "#98719f",
    "PERS": "#d08341",
    "SNAP": "#FD971F",
    "DROP": "#ff615c",
    "CLNT": "#00813c",
    "TEST": "#fe2c79",
    "INFO": "#ffffff",
    "WARN": "#d08341",
    "ERRO": "#fe2626",
    "TRCE": "#fe2626",
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?")
    ap.add_argument("-c", "--columns", type=int, default=None)
    ap.add_argument("--no-color", action="store_true")
    args = ap.parse_args()
    stream = open(args.file) if args.file else sys.stdin
    topics = set(TOPICS)
    colorize = not args.no_color
    n_columns = args.columns
    width = Console().size.width
    panicked = False
    for line in stream:
        try:
            time, topic, *msg = line.strip().split(" ")
            if topic not in topics:
                continue
            msg = " ".join(msg)
            if topic != "TEST":
                i = int(msg[1])
            if colorize and topic in TOPICS:
                color = TOPICS[topic]
                msg = f"[{color}]{msg}[/{color}]"
            if n_columns is None or topic == "TEST":
                print(time, msg)
            else:
                cols = ["" for _ in range(n_columns)]
                cols[i] = msg
                col_width = int(width / n_columns)
                print(Columns(cols, width=col_width - 1, equal=True, expand=True))
        except Exception:
            if line.startswith("panic"):
                panicked = True
            if not panicked:
                print("#" * width)
            print(line, end="")


if __name__ == "__main__":
    main()
