"""What the grading self-tests (grading_test.py, sandbox_test.py,
gradebook_test.py) share: a PASS/FAIL line per check, a tolerant JSON reader,
and the closing `N passed, M failed` line with the exit code it means."""
import json

results = []


def check(ok, what):
    """Records one check and prints it as it happens."""
    results.append(bool(ok))
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    return bool(ok)


def load(path):
    """The JSON file at `path`, or None when it is missing or malformed."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def summary():
    """Prints the count of passed and failed checks; 0 when all passed."""
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1
