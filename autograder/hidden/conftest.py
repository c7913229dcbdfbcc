"""The hidden suite's fixtures. The grader's RubricPlugin provides `grading` (a GradingContext)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "rubric(points, function, kind): a graded check and its points")
