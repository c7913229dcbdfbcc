"""Rubric for cross_validate (18 points) and best_k (6 points).

cross_validate runs with a classifier the grader answers (cross_validation.py),
so its points depend on the folds and the bookkeeping only, never on the
student's distances or votes; its fold accuracies are compared with the
reference's, computed here in the trusted process.
"""
import numpy as np

from autograder.rubric import Deduction, check

from ..cross_validation import as_accuracies, diagnose, reference_accuracies, reference_best_k, run_best_k, \
    run_cross_validate


@check(points=14, function="cross_validate", kind="values")
def test_fold_accuracies(grading, problems):
    """every k's fold accuracies match the reference (np.array_split's folds, in order)"""
    for problem in problems.fold_problems():
        run = run_cross_validate(grading, problem)
        expected = reference_accuracies(grading, problem)
        for k, returned in zip(problem.k_choices, run.accuracies):
            accuracies = as_accuracies(returned, problem.num_folds)
            if accuracies is None or not np.allclose(accuracies, expected[k], rtol=0, atol=1e-9):
                mistake, sentence = diagnose(problem, run)
                shown = np.round(accuracies, 3).tolist() if accuracies is not None else repr(returned)
                raise Deduction(f"On {problem.description} with k_choices={list(problem.k_choices)}, your fold "
                                f"accuracies for k={k} ({shown}) differ from the reference's. {sentence}", mistake)


@check(points=4, function="cross_validate", kind="api")
def test_cross_validate_api(grading, problems):
    """a dict giving every k its num_folds accuracies in [0, 1], computed from the data; X and y left untouched"""
    problem = problems.fold_problems()[0]
    run = run_cross_validate(grading, problem, echo=True)
    for k, returned in zip(problem.k_choices, run.accuracies):
        accuracies = as_accuracies(returned, problem.num_folds)
        if accuracies is None or not np.all((accuracies >= 0) & (accuracies <= 1)):
            raise Deduction(f"cross_validate should return a dict mapping each k of k_choices to a list of "
                            f"num_folds={problem.num_folds} accuracies between 0 and 1; for k={k} it gave "
                            f"{returned!r}.")
    relabelled = run_cross_validate(grading, problems.relabelled(problem))
    if all(np.array_equal(as_accuracies(a, problem.num_folds), as_accuracies(b, problem.num_folds))
           for a, b in zip(run.accuracies, relabelled.accuracies)):  # so a constant answer earns nothing
        raise Deduction("cross_validate's accuracies do not change when the labels are shuffled: compute them from "
                        "the classifier's predictions on each fold.", "does not compute accuracies")
    if run.mutated:
        raise Deduction(f"cross_validate changed its input {', '.join(run.mutated)}: split and concatenate copies; "
                        "the caller keeps using its arrays.", "input mutated")


@check(points=4, function="best_k", kind="values")
def test_best_k_has_the_highest_mean(grading, problems):
    """the k with the highest mean fold accuracy"""
    k_choices, table = problems.accuracy_table(50, tie=False)
    chosen, expected = run_best_k(grading, k_choices, table), reference_best_k(grading, k_choices, table)
    if chosen != expected:
        means = dict(zip(k_choices, table.mean(axis=1)))
        if chosen not in means:
            raise Deduction(f"best_k returned {chosen:g}, which is not one of the k in k_to_accuracies.")
        best_fold = k_choices[int(np.argmax(table.max(axis=1)))]
        mistake = "the best single fold, not the best mean" if chosen == best_fold else None
        raise Deduction(f"best_k returned k={chosen:g}, whose mean accuracy is {means[chosen]:.3f}; the highest mean "
                        f"is {max(means.values()):.3f}." + (f" Likely mistake: {mistake}." if mistake else ""), mistake)


@check(points=2, function="best_k", kind="ties")
def test_best_k_ties_go_to_the_smaller_k(grading, problems):
    """of several k with the highest mean, the smallest"""
    k_choices, table = problems.accuracy_table(51, tie=True)
    chosen, expected = run_best_k(grading, k_choices, table), reference_best_k(grading, k_choices, table)
    if chosen != expected:
        tied = [k for k, row in zip(k_choices, table) if np.array_equal(row, table[k_choices.index(expected)])]
        larger = chosen in tied
        raise Deduction(f"k={tied[0]} and k={tied[1]} share the highest mean accuracy; best_k returned {chosen:g}"
                        + (": of equal means the smaller k wins." if larger else ", which is not one of them."),
                        "a tie goes to the larger k" if larger else None)
