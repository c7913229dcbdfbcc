"""nbgrader integration: run the course with nbgrader's commands, grade with the kit's hidden suites.

`nbgrader_config.py` (repository root) wires these modules in, by import name:

- `generate`: generate_assignment strips `.py` modules with the kit's release
  logic and records the kit's grade cells (cells.py) in the gradebook.
- `execute`: replaces nbgrader's `Execute`: the student's notebook runs in the
  sandbox (sandbox/notebook_runner.py), for its outputs only.
- `autograde`: the sandboxed hidden suite fills the grade cells, one per
  auto-graded answer and one per graded function.
- `feedback`: nbgrader's feedback page, its table of contents naming what each grade cell grades.
- `export`: `nbgrader export` writes one column per graded function.
- `course`: values the configuration computes (its step lists, files never overwritten at autograde).
"""
