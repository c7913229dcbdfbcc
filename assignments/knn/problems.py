"""The problems the kNN rubric poses: fixed shapes and structure, values drawn with the grading's secret.

The secret (autograder/pipeline/secret.py) is mixed into every draw, so no answer
can be precomputed. What each check is about is built into its problems whatever
the secret, so verdicts on correct and buggy code do not depend on it:

- distances: several shapes (one test row, one training row, large D), and
  whole-number pixels with repeated rows, so some distances are exactly 0;
- votes: for each test row the labels of its nearest training rows, rank by
  rank, are laid down by a pattern, and the distances are drawn to fit. A
  majority row's nearest neighbour is outvoted (and mostly very close); a tie
  row's tied labels are equally many, a larger one met first (or the smaller
  one met first but completing its count last); the (k+1)-th
  nearest never changes the verdict, so each row tests what its check names and
  no more;
- cross-validation: overlapping clusters, N not a multiple of num_folds (so
  np.array_split's folds differ from equal slices);
- best_k: fold accuracies with one clear best mean, or two k with the very same
  accuracies (so every way of averaging ties them).
"""
from dataclasses import dataclass
from typing import List, Sequence, Tuple

import numpy as np

SPEED_SHAPE = (30000, 4, 2)  # (num_test, num_train, D): many test rows, few of the rest, so per-row Python shows


@dataclass(frozen=True)
class DistanceProblem:
    """Training rows X_train (num_train, D), test rows X (num_test, D), and a phrase describing them."""
    description: str
    X_train: np.ndarray
    X: np.ndarray

    @property
    def y_train(self) -> np.ndarray:
        return np.arange(len(self.X_train)) % 3

    @property
    def shape(self) -> Tuple[int, int]:
        return len(self.X), len(self.X_train)


@dataclass(frozen=True)
class VoteProblem:
    """predict_labels's input: dists (num_test, num_train), the training labels y_train (num_train,) and k."""
    description: str
    dists: np.ndarray
    y_train: np.ndarray
    k: int


@dataclass(frozen=True)
class FoldProblem:
    """cross_validate's input: X (N, D), y (N,), k_choices and num_folds."""
    description: str
    X: np.ndarray
    y: np.ndarray
    k_choices: Tuple[int, ...]
    num_folds: int


class ProblemSet:
    """Every problem of one grading, drawn from seed and secret together."""

    def __init__(self, secret: int):
        self.secret = secret

    def rng(self, seed: int) -> np.random.Generator:
        return np.random.default_rng([seed, self.secret])

    # ---------------------------------------------------------------- distances

    def random_distances(self, seed: int, num_test: int, num_train: int, dim: int, description: str = "",
                         pixels: int = 0) -> DistanceProblem:
        """Standard normal rows, or whole numbers in [0, pixels] when pixels is given."""
        rng = self.rng(seed)

        def rows(count):
            if pixels:
                return rng.integers(0, pixels + 1, size=(count, dim)).astype(float)
            return rng.standard_normal((count, dim))

        label = description or f"random rows (num_test={num_test}, num_train={num_train}, D={dim})"
        return DistanceProblem(label, rows(num_train), rows(num_test))

    def repeated_rows(self, seed: int = 5) -> DistanceProblem:
        """Whole-number pixels where some test rows repeat training rows (distance exactly 0), a training row
        repeats another and a test row repeats another."""
        problem = self.random_distances(seed, 9, 24, 16, pixels=16)
        rng = self.rng(seed + 100)
        X_train, X = problem.X_train.copy(), problem.X.copy()
        X_train[7] = X_train[2]
        X[:4] = X_train[rng.choice(24, 4, replace=False)]
        X[8] = X[5]
        return DistanceProblem("whole-number pixels with repeated rows, so some distances are exactly 0 "
                               "(num_test=9, num_train=24, D=16)", X_train, X)

    def distance_problems(self) -> List[DistanceProblem]:
        """The problems on which distances are compared with the reference (num_test != num_train in each,
        so a transposed answer shows)."""
        return [
            self.random_distances(1, 12, 30, 5),
            self.random_distances(2, 1, 20, 7, "a single test row (num_test=1, num_train=20, D=7)"),
            self.random_distances(3, 6, 1, 3, "a single training row (num_test=6, num_train=1, D=3)"),
            self.repeated_rows(),
            self.random_distances(4, 15, 40, 3072, "large D, pixels in [0, 255] (num_test=15, num_train=40, "
                                                   "D=3072)", pixels=255),
        ]

    def api_problem(self) -> DistanceProblem:
        return self.random_distances(6, 7, 15, 6)

    def dependence_problems(self) -> List[Tuple[DistanceProblem, List[DistanceProblem]]]:
        """(problem, [its test rows moved, its training rows moved]): each change must change real distances.

        The bases have the shapes of the problems that value-free checks pose, so
        a method cannot answer honestly at one shape only.
        """
        bases = [self.api_problem(), self.random_distances(7, 12, 30, 5)]
        changed = []
        for seed, base in enumerate(bases, 8):
            rng = self.rng(seed)
            changed.append((base, [
                DistanceProblem("the test rows move", base.X_train, base.X + rng.standard_normal(base.X.shape)),
                DistanceProblem("the training rows move", base.X_train + rng.standard_normal(base.X_train.shape),
                                base.X)]))
        return changed

    def speed_test_rows(self) -> np.ndarray:
        """The speed check's test rows X (num_test, D), sent once; each timed round brings new training rows."""
        num_test, _, dim = SPEED_SHAPE
        return self.rng(20).standard_normal((num_test, dim))

    def speed_training_rows(self, seed: int):
        """A fresh X_train (num_train, D) for every timed round."""
        _, num_train, dim = SPEED_SHAPE
        rng = self.rng(seed)
        while True:
            yield rng.standard_normal((num_train, dim))

    # ---------------------------------------------------------------- votes

    def votes(self, seed: int, description: str, patterns: Sequence[str], num_classes: int, k: int,
              nearest_scale: float = 1.0, far_from: int = 0) -> VoteProblem:
        """One test row per pattern: its j-th letter is the label of its j-th nearest training row.

        Letters stand for distinct labels drawn per row, in the letters' order (A
        is the smallest). The pattern's rows are about 1 away (nearest_scale
        times that for the nearest row), those from rank far_from on (if given)
        about 3, and every other training row farther still.
        """
        rng = self.rng(seed)
        per_class = max(pattern.count(letter) for pattern in patterns for letter in pattern) + 3
        y_train = rng.permutation(np.arange(num_classes * per_class) % num_classes)
        dists = np.empty((len(patterns), len(y_train)))
        for row, pattern in enumerate(patterns):
            used = sorted(set(pattern))
            labels = dict(zip(used, np.sort(rng.choice(num_classes, len(used), replace=False))))
            order: List[int] = []
            for letter in pattern:
                free = np.flatnonzero((y_train == labels[letter]) & ~np.isin(np.arange(len(y_train)), order))
                order.append(int(rng.choice(free)))
            near = np.sort(rng.uniform(1.0, 1.0 + 0.01 * len(pattern), len(pattern)))
            near[0] *= nearest_scale
            if far_from:
                near[far_from:] += 2.0
            rest = np.setdiff1d(np.arange(len(y_train)), order)
            dists[row, order] = near
            dists[row, rest] = near[-1] + rng.uniform(0.5, 4.0, len(rest))
        return VoteProblem(description, dists, y_train, k)

    def nearest_problem(self) -> VoteProblem:
        """k=1: the nearest and the second nearest rows have different labels, either one the smaller."""
        return self.votes(30, "k=1, 10 classes", ["AB", "BA"] * 6, 10, 1)

    def majority_problems(self) -> List[VoteProblem]:
        """A clear majority among the k nearest, never the nearest row's label, which is mostly very close."""
        return [
            self.votes(31, "k=3, 10 classes", ["BAAA", "ABBB"] * 3, 10, 3, nearest_scale=0.01),
            self.votes(32, "k=5, 10 classes", ["BAACAA", "CBABBB", "ACCBCC"] * 2, 10, 5, nearest_scale=0.01),
            self.votes(33, "k=7, 10 classes", ["BACAADAA", "DCBCCACC"], 10, 7, nearest_scale=0.01),
            self.votes(34, "k=10, more than the 3 classes", ["BAACABACAAA", "CBBABCBABBB"], 3, 10,
                       nearest_scale=0.01),
            self.votes(38, "k=5, 10 classes, the nearest row no closer than the rest", ["BAACAA", "ABBCBB"] * 2, 10,
                       5),
        ]

    def tie_problems(self) -> List[VoteProblem]:
        """The k nearest hold equally many of two or three labels, a larger tied label met first (the nearest
        row's, or just after a nearest row of another label), or the smaller one met first but the last to
        reach its count: the smallest tied label wins. The first rows are nearly equally far (but for a very
        close nearest row where the smaller label completes last, so a vote weighted by closeness still picks
        it), the rest far behind."""
        return [
            self.votes(35, "k=4, a 2:2 tie", ["BAABB"] * 6, 10, 4, far_from=3),
            self.votes(43, "k=4, a 2:2 tie that the smaller label completes", ["ABBAA"] * 6, 10, 4,
                       nearest_scale=0.01, far_from=3),
            self.votes(36, "k=6, a 2:2:2 tie", ["BACABCB", "CABACBC"] * 3, 10, 6, far_from=4),
            self.votes(39, "k=5, a 2:2 tie behind a nearest row of a third label", ["CBAABA"] * 6, 10, 5, far_from=4),
        ]

    # ---------------------------------------------------------------- cross-validation and best_k

    def fold_problem(self, seed: int, num_train: int, num_folds: int, description: str) -> FoldProblem:
        """Three overlapping clusters (D=4), rows in random order, and 4 values of k (1 among them) in increasing
        order."""
        rng = self.rng(seed)
        centres = 1.5 * rng.standard_normal((3, 4))
        y = rng.integers(3, size=num_train)
        X = centres[y] + rng.standard_normal((num_train, 4))
        k_choices = (1, *sorted(int(k) for k in rng.choice([2, 3, 4, 5, 6, 7, 8, 10, 12, 15], 3, replace=False)))
        return FoldProblem(description, X, y, k_choices, num_folds)

    def fold_problems(self) -> List[FoldProblem]:
        return [self.fold_problem(40, 103, 5, "N=103, D=4, 5 folds"),
                self.fold_problem(41, 61, 4, "N=61, D=4, 4 folds")]

    def relabelled(self, problem: FoldProblem) -> FoldProblem:
        """The same rows with shuffled labels: a real cross-validation's accuracies change."""
        return FoldProblem(problem.description, problem.X, self.rng(42).permutation(problem.y), problem.k_choices,
                           problem.num_folds)

    def accuracy_table(self, seed: int, tie: bool) -> Tuple[Tuple[int, ...], np.ndarray]:
        """(k_choices in increasing order, their fold accuracies (len(k_choices), 5)).

        Accuracies are multiples of 1/20 (folds of 20). Without a tie, one k has
        the highest mean by far (not the first or the last k), and another k has
        the best single fold; with a tie, two k share the very same accuracies,
        the highest mean and the best single fold.
        """
        rng = self.rng(seed)
        k_choices = tuple(sorted(int(k) for k in rng.choice(np.arange(1, 31), 6, replace=False)))
        table = rng.integers(8, 13, size=(6, 5)) / 20  # folds 0.4 to 0.6
        best = int(rng.integers(1, 5))
        table[best] = rng.integers(15, 18, size=5) / 20  # means 0.75 to 0.85, folds at most 0.85
        if tie:
            twin = int(rng.choice([index for index in range(6) if index > best]))
            table[twin] = table[best]
        else:
            other = int(rng.choice([index for index in range(6) if index != best]))
            table[other, rng.integers(5)] = 1.0  # its mean stays at most 0.68
        return k_choices, table
