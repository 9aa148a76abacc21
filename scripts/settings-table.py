#!/usr/bin/env python3
"""Prints the settings of a program as a Markdown table, read from its --help (the one source).
Usage: settings-table.py PROGRAM"""
import re
import subprocess
import sys


def settings(program):
    text = subprocess.run([program, "--help"], capture_output=True, text=True, check=True).stdout
    blocks = re.split(r"\n\s*\n", text.split("Settings:", 1)[1])
    rows = []
    for block in blocks:
        lines = [l.strip() for l in block.strip().splitlines()]
        if not lines or not lines[0].startswith("--"):
            continue
        flag = lines[0].split()[0]
        env = next((l[4:] for l in lines if l.startswith("env ")), "")
        default = next((l[len("default: "):] for l in lines if l.startswith("default: ")), "")
        accepts = next((l[len("accepts "):] for l in lines if l.startswith("accepts ")), "")
        secret = "(secret)" in lines[0]
        help_lines = [l for l in lines[1:]
                      if not l.startswith(("env ", "default", "accepts ", "or a file holding it"))]
        meaning = " ".join(help_lines)
        if secret:
            meaning += " *Secret: also from a file named by `…_FILE`; never logged.*"
        rows.append((env.replace("FRIGATE_HC_", ""), flag, default, meaning, accepts))
    return rows


if __name__ == "__main__":
    print("| setting (env `FRIGATE_HC_…`) | flag | default | meaning | accepts |")
    print("|---|---|---|---|---|")
    for name, flag, default, meaning, accepts in settings(sys.argv[1]):
        default = "(unset)" if default in ("", "none") else default.strip('"') or "(unset)"
        accepts = accepts.replace("|", "\\|")
        print(f"| `{name}` | `{flag}` | `{default}` | {meaning} | {accepts} |")
