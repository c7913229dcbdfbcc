"""The command-line verbs, one module each: `add_arguments(parser)`, `run(args) -> exit code`, a HELP line.

`python -m autograder VERB` (autograder/__main__.py) imports only the chosen
verb. Every verb takes `--assignment NAME` (the default assignment otherwise).
A verb that cannot do what it was asked raises CommandError: the dispatcher
prints its one line to stderr and exits with its code.
"""


class CommandError(Exception):
    """What went wrong with a command's input, in one line for the user, and the exit code."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code
