#!/usr/bin/env python3
"""Size lint: files and C++ functions too long to read in one sitting.

Lists every git-tracked source file (.cc, .h, .py and shell or Python
scripts without an extension) over MAX_FILE_LINES lines, and every C++
function over MAX_FUNCTION_LINES lines, unless the allow-list below names it.
Exit 0 when nothing is over, 1 when something is, 2 when it could not run.

Functions are found by matching braces, not by parsing C++: a brace opened
at namespace or class level whose header has a parameter list is a function
(a TEST(...) body included); lambdas and local classes count as part of the
function that holds them. Initialisers (`= {...}`, `kTable{...}`) are data.

Usage: .ci/size_lint.py [--root DIR]
"""

import argparse
import re
import subprocess
import sys
from pathlib import Path

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 80

# Files that may be long, each with its reason.
ALLOWED_FILES = {
    "harness/interop/python_server.py":
        "a whole course server in one file, written from the contract alone, so that "
        "a reader of another language can see it at once",
}

# Functions that may be long, as "path:name", each with its reason.
ALLOWED_FUNCTIONS = {
}

CXX_SUFFIXES = (".cc", ".h")
SOURCE_SUFFIXES = CXX_SUFFIXES + (".py", ".sh", ".bash")
SCRIPT_SHEBANG = re.compile(rb"^#!.*\b(ba)?sh\b|^#!.*python")
CONTAINER = re.compile(r"^(template\s*<.*>\s*)?(typedef\s+)?(class|struct|union|namespace|enum|extern)\b",
                       re.S)


def tracked_sources(root):
    out = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], check=True,
                         capture_output=True).stdout
    for name in out.decode().split("\0"):
        if not name:
            continue
        path = root / name
        if not path.is_file():
            continue
        if name.endswith(SOURCE_SUFFIXES):
            yield name
        elif "." not in Path(name).name:
            with open(path, "rb") as f:
                if SCRIPT_SHEBANG.match(f.readline()):
                    yield name


def blank_out_comments_and_literals(text):
    """The text with comments, string and character literals and preprocessor
    lines replaced by spaces; newlines are kept, so line numbers still hold."""
    out = []
    i, n = 0, len(text)
    at_line_start = True
    while i < n:
        c = text[i]
        if at_line_start and c == "#":
            # A preprocessor line, with its continuations.
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append(" \n")
                    i += 2
                    continue
                out.append(" ")
                i += 1
            continue
        if c == "/" and text.startswith("//", i):
            while i < n and text[i] != "\n":
                out.append(" ")
                i += 1
            continue
        if c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
            continue
        raw = re.match(r'R"([^(\s]*)\(', text[i:i + 20]) if c == "R" else None
        if raw and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            close = ")" + raw.group(1) + '"'
            end = text.find(close, i + len(raw.group(0)))
            end = n if end < 0 else end + len(close)
            out.append('""' + re.sub(r"[^\n]", " ", text[i + 2:end]))
            i = end
            continue
        if c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum():
                out.append(c)  # a digit separator: 1'000'000
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + c)
            i = j + 1
            continue
        out.append(c)
        at_line_start = c == "\n" or (at_line_start and c in " \t")
        i += 1
    return "".join(out)


def function_name(header):
    header = re.sub(r"\s+", " ", header).strip()
    macro = re.match(r"^([A-Z][A-Z0-9_]*)\s*\(([^()]*)\)", header)
    if macro:
        return f"{macro.group(1)}({macro.group(2).strip()})"
    named = re.search(r"(~?[\w:]*(?:operator\s*[^\s(]+|\w+))\s*\(", header)
    return named.group(1) if named else header[:40]


def is_function_header(header):
    h = re.sub(r"\s+", " ", header).strip()
    if not h or "(" not in h or CONTAINER.match(h):
        return False
    before_paren = h[:h.index("(")]
    if "=" in before_paren and "operator" not in before_paren:
        return "[" in h[h.index("="):]  # a lambda held by a variable
    return True


def matching_brace(code, i):
    """The index of the brace that closes the one at code[i] (or len(code))."""
    depth = 0
    for j in range(i, len(code)):
        depth += {"{": 1, "}": -1}.get(code[j], 0)
        if depth == 0:
            return j
    return len(code)


def long_functions(text):
    """(line, length, name) of each namespace- or class-level function."""
    code = blank_out_comments_and_literals(text)
    found = []
    # A stack of scopes: True for a container (namespace, class), False for
    # anything else. Only braces opened inside containers are looked at.
    stack = []
    header_start = 0
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        in_container = all(stack)
        if c == "{" and in_container:
            header = code[header_start:i]
            flat = re.sub(r"\s+", " ", header)
            # A brace initialiser in a constructor's member list (`a_{1}`)
            # belongs to the header; skip to its end.
            if re.search(r"\)\s*(noexcept\s*)?:.*[\w>]\s*$", flat) and not flat.rstrip().endswith(")"):
                j = matching_brace(code, i)
                i = j + 1
                continue
            if is_function_header(header):
                j = matching_brace(code, i)
                start_offset = header_start + (len(header) - len(header.lstrip()))
                first = code.count("\n", 0, start_offset) + 1
                last = code.count("\n", 0, j) + 1
                found.append((first, last - first + 1, function_name(header)))
                i = j + 1
                header_start = i
                continue
            stack.append(bool(CONTAINER.match(flat.strip())))
            header_start = i + 1
        elif c == "{":
            stack.append(False)
        elif c == "}":
            if stack:
                stack.pop()
            if all(stack):
                header_start = i + 1
        elif c in ";" and in_container:
            header_start = i + 1
        elif c == ":" and in_container and re.search(r"\b(public|private|protected)\s*$",
                                                     code[header_start:i]):
            header_start = i + 1
        i += 1
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=Path(__file__).resolve().parent.parent, type=Path)
    args = parser.parse_args()
    root = args.root.resolve()
    try:
        names = sorted(tracked_sources(root))
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"size_lint: cannot list the files: {error}", file=sys.stderr)
        return 2

    over, allowed = [], []
    for name in names:
        text = (root / name).read_text(encoding="utf-8", errors="replace")
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        if lines > MAX_FILE_LINES:
            row = f"{name}: {lines} lines (over {MAX_FILE_LINES})"
            (allowed if name in ALLOWED_FILES else over).append(row)
        if name.endswith(CXX_SUFFIXES):
            for line, length, function in long_functions(text):
                if length > MAX_FUNCTION_LINES:
                    row = f"{name}:{line}: {function} is {length} lines (over {MAX_FUNCTION_LINES})"
                    key = f"{name}:{function}"
                    (allowed if key in ALLOWED_FUNCTIONS else over).append(row)

    for row in over:
        print(row)
    for row in allowed:
        print(f"{row} [allowed]")
    if over:
        print(f"size_lint: {len(over)} over the limits ({len(allowed)} allowed)")
        return 1
    print(f"size_lint: nothing over the limits ({len(allowed)} allowed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
