"""The kit's assignments, one package each (see autograder/assignment.py for what a package holds)."""

DEFAULT = "linear_classifiers"  # what every verb grades, releases and reports when no --assignment is given
