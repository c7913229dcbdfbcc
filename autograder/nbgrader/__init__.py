"""nbgrader integration: run the course with nbgrader's commands, grade with the kit's hidden suites.

`nbgrader_config.py` (repository root) wires these modules in:

- `generate`: generate_assignment strips `.py` modules with the kit's release
  logic and records one grade cell per graded function in the gradebook.
- `autograde`: replaces nbgrader's `Execute`, so no student notebook code runs
  with the instructor's rights; the sandboxed hidden suite fills the grade cells.
- `export`: `nbgrader export` writes one column per graded function.
- `course`: values the configuration computes (files never overwritten at autograde).
"""
