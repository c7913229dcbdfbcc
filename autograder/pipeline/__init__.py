"""The grading of one submission, a one-way pipeline: find -> sandbox -> score -> report.

- find.py:    the submission's graded files and notebook answers (never run here);
- sandbox/:   the student's worker, confined (autograder/sandbox), and the reference's (reference.py);
- score.py:   the assignment's rubric, run on them (autograder/rubric);
- results.py, report.py: what grading produced, as results.json and as text;
- grade.py:   the four stages in order, for one submission (grade_submission).
"""
