"""How well does the upload read a passport's machine-readable zone, and compare it with what the
applicant typed? Generated passport pages (bench/passport_samples.py: OCR-B, degraded like real
uploads, a third as PDF) are read one after another on one core, as the upload does.

    .venv/bin/python -m bench.mrz [--count 40] [--seed 1] [--verbose]

Prints: the share read with confidence (target >= 90%); confident readings with a wrong field
protected by a check digit (target 0) and with wrong names (for information: names are only ever
"check"); false warnings, i.e. the applicant typed the truth yet a field was not a match (target
<= 2% of those readings); missed mismatches, i.e. a field typed differently came out as a match
(target <= 5% of those readings); median and maximum seconds per scan (target median <= 1.5 s).
Exits 1 when a target is missed. Needs Tesseract and fonts-ocr-b (see .ci/run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass

from bench.passport_samples import TODAY, Sample, samples
from portal.uploads.mrz import MrzReading, compare, read_mrz
from portal.uploads.mrz_compare import MATCH
from portal.uploads.mrz_ocr import tesseract_path

TARGETS = {"confident": 0.90, "false_warnings": 0.02, "missed": 0.05, "median_seconds": 1.5}
PROTECTED = ("document_number", "nationality", "date_of_birth", "sex", "date_of_expiry")


@dataclass
class Outcome:
    sample: Sample
    reading: MrzReading
    seconds: float

    @property
    def wrong_protected(self) -> list[str]:
        truth = self.sample.truth
        expected = {"document_number": truth.passport_number, "nationality": truth.nationality,
                    "date_of_birth": truth.date_of_birth, "sex": truth.sex, "date_of_expiry": truth.expires_on}
        got = {**{name: getattr(self.reading, name) for name in PROTECTED},
               "nationality": self.reading.nationality_alpha2}
        return [name for name in PROTECTED if got[name] != expected[name]]

    @property
    def wrong_names(self) -> bool:
        return self.reading.line1 != self.sample.line1

    @property
    def warnings(self) -> list[str]:
        return [c.field for c in compare(self.reading, self.sample.typed) if c.outcome != MATCH]


def run(count: int, seed: int, verbose: bool) -> list[Outcome]:
    outcomes = []
    for sample in samples(count, seed):
        started = time.perf_counter()
        reading = read_mrz(sample.data, sample.content_type, today=TODAY)
        outcome = Outcome(sample, reading, time.perf_counter() - started)
        outcomes.append(outcome)
        if verbose:
            print(f"  seed {sample.seed:>7} {sample.content_type:<16} {reading.state:<10} "
                  f"{outcome.seconds:5.2f} s  changed={sample.changed}  warnings={outcome.warnings}"
                  f"{'  WRONG ' + str(outcome.wrong_protected) if reading.is_read and outcome.wrong_protected else ''}"
                  f"{'  names: ' + str(reading.line1) if reading.is_read and outcome.wrong_names else ''}"
                  f"{'  (' + str(reading.reason) + ')' if reading.reason else ''}")
    return outcomes


def report(outcomes: list[Outcome]) -> bool:
    confident = [o for o in outcomes if o.reading.is_read]
    unchanged = [o for o in confident if o.sample.changed is None]
    changed = [o for o in confident if o.sample.changed is not None]
    wrong = [o for o in confident if o.wrong_protected]
    false_warnings = [o for o in unchanged if o.warnings]
    missed = [o for o in changed if o.sample.changed not in o.warnings]
    seconds = [o.seconds for o in outcomes]
    shares = {"confident": len(confident) / len(outcomes),
              "false_warnings": len(false_warnings) / max(1, len(unchanged)),
              "missed": len(missed) / max(1, len(changed)), "median_seconds": statistics.median(seconds)}
    met = {"confident": shares["confident"] >= TARGETS["confident"], "wrong": not wrong,
           "false_warnings": shares["false_warnings"] <= TARGETS["false_warnings"],
           "missed": shares["missed"] <= TARGETS["missed"],
           "median_seconds": shares["median_seconds"] <= TARGETS["median_seconds"]}

    def verdict(key: str) -> str:
        return "met" if met[key] else "NOT met"

    print(f"scans: {len(outcomes)} ({sum(o.sample.content_type == 'application/pdf' for o in outcomes)} PDF), "
          f"typed with one field changed: {sum(o.sample.changed is not None for o in outcomes)}")
    print(f"read with confidence:            {len(confident):3d} / {len(outcomes)} = {shares['confident']:6.1%}"
          f"   (target >= {TARGETS['confident']:.0%}: {verdict('confident')})")
    print(f"wrong check-digit field:         {len(wrong):3d} of {len(confident)} confident"
          f"   (target 0: {verdict('wrong')})")
    print(f"wrong names (for information):   {sum(o.wrong_names for o in confident):3d} of {len(confident)} confident")
    print(f"false warnings (typed = truth):  {len(false_warnings):3d} / {len(unchanged)} = "
          f"{shares['false_warnings']:6.1%}   (target <= {TARGETS['false_warnings']:.0%}: {verdict('false_warnings')})")
    print(f"missed mismatches:               {len(missed):3d} / {len(changed)} = {shares['missed']:6.1%}"
          f"   (target <= {TARGETS['missed']:.0%}: {verdict('missed')})")
    print(f"seconds per scan, one core:      median {shares['median_seconds']:.2f}, max {max(seconds):.2f}"
          f"   (target median <= {TARGETS['median_seconds']} s: {verdict('median_seconds')})")
    return all(met.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40, help="number of generated scans")
    parser.add_argument("--seed", type=int, default=1, help="the generated set (the tests use seed 0)")
    parser.add_argument("--verbose", action="store_true", help="one line per scan")
    args = parser.parse_args()
    if tesseract_path() is None:
        print("tesseract is not installed. On Debian/Ubuntu: apt-get install -y tesseract-ocr fonts-ocr-b",
              file=sys.stderr)
        return 2
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core, Tesseract included
    return 0 if report(run(args.count, args.seed, args.verbose)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
