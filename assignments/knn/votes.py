"""What the predict_labels checks share: the student's labels, the reference's, and the catalogue of classic
vote mistakes that names what went wrong. The checks themselves are in rubric/test_votes.py.
"""
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional

import numpy as np

from autograder.rubric import Deduction, GradingContext

from . import MODULE
from .problems import ProblemSet, VoteProblem


@dataclass
class VoteOutput:
    labels: np.ndarray  # as returned (any shape)
    mutated: List[str]  # which of dists, y_train the call changed (only when asked for)


def call_vote(grading: GradingContext, problem: VoteProblem, echo: bool = False) -> VoteOutput:
    """The student's predict_labels(dists, k) with the problem's training labels, or a Deduction saying
    what is wrong with the return value."""
    values = grading.student.operate("vote", problem.y_train, problem.dists, problem.k, echo,
                                     module=MODULE, function="predict_labels").values
    labels = values[0] if values else None
    if not isinstance(labels, np.ndarray):
        raise Deduction(f"predict_labels must return the labels as a numpy array, not {labels!r}.")
    mutated = []
    if echo:
        for name, original, after in zip(("dists", "y_train"), (problem.dists, problem.y_train), values[1:3]):
            if not (isinstance(after, np.ndarray) and after.shape == original.shape
                    and np.array_equal(after, original)):
                mutated.append(name)
    return VoteOutput(labels, mutated)


def reference_vote(grading: GradingContext, problem: VoteProblem) -> np.ndarray:
    """The reference's labels (num_test,), computed in the trusted process."""
    classifier = grading.reference_module(MODULE).KNearestNeighbor()
    classifier.train(np.zeros((len(problem.y_train), 1)), problem.y_train)
    return classifier.predict_labels(problem.dists, k=problem.k)


def _nearest(problem: VoteProblem, row: int, count: int, skip: int = 0) -> np.ndarray:
    return np.argsort(problem.dists[row])[skip:skip + count]


def _bincount_vote(labels, weights=None) -> int:
    return int(np.argmax(np.bincount(labels, weights=weights)))


def _first_to_the_top_count(labels) -> int:
    """A running count, nearest first, whose leader changes only when a count passes the leader's."""
    counts: Counter = Counter()
    leader = None
    for label in labels.tolist():
        counts[label] += 1
        if leader is None or counts[label] > counts[leader]:
            leader = label
    return int(leader)


# name -> the label that mistake gives on one test row
MISTAKES: Dict[str, Callable[[VoteProblem, int], int]] = {
    "k is ignored: the label of the single nearest row":
        lambda p, i: int(p.y_train[_nearest(p, i, 1)[0]]),
    "the k farthest rows vote instead of the k nearest (argsort in the wrong direction)":
        lambda p, i: _bincount_vote(p.y_train[np.argsort(-p.dists[i])[:p.k]]),
    "the nearest row is skipped (ranks 2 to k + 1 vote)":
        lambda p, i: _bincount_vote(p.y_train[_nearest(p, i, p.k, skip=1)]),
    "a tie goes to the larger label":
        lambda p, i: int(max(Counter(p.y_train[_nearest(p, i, p.k)]).items(), key=lambda item: item[::-1])[0]),
    "a tie goes to the label met first among the nearest (what Counter.most_common does)":
        lambda p, i: int(Counter(p.y_train[_nearest(p, i, p.k)]).most_common(1)[0][0]),
    "a tie goes to the label that reached the top count first (a running count, nearest first, whose leader "
    "changes only when a count passes it)":
        lambda p, i: _first_to_the_top_count(p.y_train[_nearest(p, i, p.k)]),
    "the votes are weighted by closeness, not counted":
        lambda p, i: _bincount_vote(p.y_train[_nearest(p, i, p.k)],
                                    1 / np.maximum(p.dists[i, _nearest(p, i, p.k)], 1e-12)),
}


def mistake_labels(name: str, problem: VoteProblem) -> np.ndarray:
    """The labels a catalogued mistake gives on every test row of a problem."""
    return np.array([MISTAKES[name](problem, row) for row in range(len(problem.dists))])


def first_wrong(grading: GradingContext, problems: List[VoteProblem]) -> Optional[Deduction]:
    """A Deduction for the first test row whose label differs from the reference's (None if none does),
    naming the catalogued mistake that gives the student's labels on every row of every problem."""
    answers = []
    for problem in problems:
        labels = call_vote(grading, problem).labels.astype(float)
        expected = reference_vote(grading, problem)
        if labels.size != expected.size:
            return Deduction(f"On {problem.description}, predict_labels returned {labels.size} labels for "
                             f"{expected.size} test rows: one label per row of dists.")
        answers.append((problem, labels.reshape(-1), expected))
    wrong = [(problem, labels, int(np.flatnonzero(labels != expected)[0]))
             for problem, labels, expected in answers if np.any(labels != expected)]
    if not wrong:
        return None
    problem, labels, row = wrong[0]
    nearest = problem.y_train[_nearest(problem, row, problem.k)].tolist()
    mistake = next((name for name in MISTAKES if all(np.array_equal(mistake_labels(name, problem), labels)
                                                     for problem, labels, _ in answers)), None)
    neighbours = "nearest training label is" if problem.k == 1 else \
        f"{problem.k} nearest training labels, nearest first, are"
    return Deduction(f"On {problem.description}, a test row's {neighbours} {nearest}; your predict_labels gave "
                     f"{labels[row]:g}."
                     + (f" Likely mistake: {mistake}." if mistake else ""), mistake)


def follows_its_inputs(grading: GradingContext, problems: ProblemSet) -> bool:
    """Do the labels follow the data: rows of dists permuted permute them, label values renamed rename them?

    Posed on clear majorities, and the renaming keeps the labels' order, so no
    way of breaking a tie (among the nearest or elsewhere) can change a vote.
    """
    problem = problems.majority_problems()[1]
    rng = problems.rng(37)
    rows, names = rng.permutation(len(problem.dists)), np.sort(rng.choice(40, 10, replace=False))
    labels = call_vote(grading, problem).labels.reshape(-1)
    by_rows = call_vote(grading, VoteProblem("", problem.dists[rows], problem.y_train, problem.k)).labels.reshape(-1)
    renamed = call_vote(grading, VoteProblem("", problem.dists, names[problem.y_train], problem.k)).labels.reshape(-1)
    if not labels.size == by_rows.size == renamed.size == len(rows) or len(set(labels.tolist())) < 2:
        return False
    if not np.all((labels >= 0) & (labels < 10) & (labels == np.round(labels))):
        return False
    return np.array_equal(by_rows, labels[rows]) and np.array_equal(renamed, names[labels.astype(int)])
