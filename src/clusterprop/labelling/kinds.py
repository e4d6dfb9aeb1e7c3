"""Who gave a selection's labels, and what became of them before propagation: one
value per experiment, spelled in paths as the ``{labelling}`` wildcard.

- ``truth``: the data set's own labels (selection ``all``, the ceilings);
- ``oracle``: the true labels stand in for a person; ``oracle-KINDRATE`` an oracle that
  errs at RATE percent with mistakes of KIND (``oracle-alike10``: 10% look-alike
  mistakes; ``clusterprop.labelling.oracle``);
- ``person``: a person's labels file;

then, for a labeller that can err:

- nothing more: the labels as given;
- ``-reviewed``: after one review of the most suspicious labels (``clusterprop.labelling.quality``):
  by the person on the review page, or by a simulated reviewer in oracle mode;
- ``-robust`` (after ``-reviewed``, or alone): the labels that still look the least
  trustworthy are treated before propagation, by no person (config ``robust``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clusterprop.labelling.oracle import MISTAKE_KINDS

TRUTH, ORACLE, PERSON = "truth", "oracle", "person"
REVIEWED, ROBUST = "reviewed", "robust"
_RATE = r"\d+(?:\.\d+)?"


@dataclass(frozen=True)
class Labelling:
    labeller: str
    #: an oracle's share of wrong labels, and their kind
    error_rate: float = 0.0
    mistakes: str | None = None
    #: reviewed once; then (or without a review) the suspicious labels treated
    reviewed: bool = False
    robust: bool = False

    @property
    def can_err(self) -> bool:
        return self.labeller == PERSON or (self.labeller == ORACLE and self.error_rate > 0)

    @property
    def as_given(self) -> Labelling:
        """The labels as the labeller gave them (before any review)."""
        return Labelling(self.labeller, self.error_rate, self.mistakes)

    @property
    def before_robust(self) -> Labelling:
        """The labels a robust treatment starts from: as given, or after the review."""
        return Labelling(self.labeller, self.error_rate, self.mistakes, self.reviewed)

    @property
    def treatment(self) -> str:
        """What became of the labels, in words."""
        steps = [step for step, done in ((REVIEWED, self.reviewed), (ROBUST, self.robust)) if done]
        return " + ".join(steps) or "as given"

    @property
    def slug(self) -> str:
        name = self.labeller
        if self.labeller == ORACLE and self.error_rate > 0:
            name += f"-{self.mistakes}{100 * self.error_rate:g}"
        return (
            name + (f"-{REVIEWED}" if self.reviewed else "") + (f"-{ROBUST}" if self.robust else "")
        )


def given_pattern() -> str:
    """Path spellings of labels as a labeller gave them (the labelling rules' outputs)."""
    return rf"{PERSON}|{ORACLE}(?:-(?:{'|'.join(MISTAKE_KINDS)}){_RATE})?"


def reviewed_pattern() -> str:
    """Path spellings of reviewed labels (the review rules' outputs)."""
    return rf"(?:{given_pattern()})-{REVIEWED}"


def slug_pattern() -> str:
    """A regular expression for every labelling's path spelling (a wildcard's)."""
    return rf"{TRUTH}|(?:{given_pattern()})(?:-{REVIEWED})?(?:-{ROBUST})?"


def parse_labelling(slug: str) -> Labelling:
    """``oracle-alike10-reviewed`` -> Labelling("oracle", 0.1, "alike", reviewed=True)."""
    match = re.fullmatch(
        rf"(?P<labeller>{TRUTH}|{PERSON}|{ORACLE})"
        rf"(?:-(?P<kind>{'|'.join(MISTAKE_KINDS)})(?P<rate>{_RATE}))?"
        rf"(?P<reviewed>-{REVIEWED})?(?P<robust>-{ROBUST})?",
        slug,
    )
    if not match or (match["labeller"] != ORACLE and match["kind"]):
        raise ValueError(f"not a labelling: {slug!r}")
    rate = float(match["rate"]) / 100 if match["rate"] else 0.0
    return Labelling(
        match["labeller"],
        rate,
        match["kind"] if rate else None,
        bool(match["reviewed"]),
        bool(match["robust"]),
    )
