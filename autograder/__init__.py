"""linclass-kit's instructor tooling: release generation and sandboxed autograding."""
