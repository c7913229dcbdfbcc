"""`python -m autograder VERB ...`: dispatch each verb to its module in autograder/verbs/, importing only that one."""
import argparse
import ast
import importlib
import importlib.util
import sys
from pathlib import Path

VERBS = {
    "release": "autograder.verbs.release",
    "grade": "autograder.verbs.grade",
    "rubric": "autograder.verbs.rubric",
    "grade-all": "autograder.verbs.grade_all",
    "merge": "autograder.verbs.merge",
    "report": "autograder.verbs.report",
    "gradescope": "autograder.verbs.gradescope",
    "similarity": "autograder.verbs.similarity",
}


def _summary(module_name: str):
    """(HELP, docstring) of a verb's module, read from its source without importing it."""
    with open(importlib.util.find_spec(module_name).origin, encoding="utf-8") as stream:
        tree = ast.parse(stream.read())
    help_text = next((node.value.value for node in tree.body if isinstance(node, ast.Assign)
                      and any(getattr(target, "id", None) == "HELP" for target in node.targets)
                      and isinstance(node.value, ast.Constant)), "")
    return help_text, ast.get_docstring(tree) or help_text


def add_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """Every option of a verb: the ones all verbs share, then the verb's own."""
    from .assignment import default_name, names
    parser.add_argument("--assignment", metavar="NAME",
                        help=f"the assignment: {', '.join(names())} (default: {default_name()})")
    importlib.import_module(VERBS[verb]).add_arguments(parser)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="linclass" if Path(sys.argv[0]).name == "linclass" else "python -m autograder",
        description="linclass-kit: release assignments and grade submissions in a sandbox.")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    chosen = next((word for word in (sys.argv[1:] if argv is None else argv) if not word.startswith("-")), None)
    for verb, module_name in VERBS.items():
        help_text, description = _summary(module_name)
        subparser = verbs.add_parser(verb, help=help_text, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
        if verb == chosen:
            add_arguments(subparser, verb)
    args = parser.parse_args(argv)
    from .assignment import UnknownAssignment
    from .verbs import CommandError
    try:
        return importlib.import_module(VERBS[args.verb]).run(args)
    except (CommandError, UnknownAssignment) as error:
        print(f"error: {error}", file=sys.stderr)
        return getattr(error, "code", 2)


if __name__ == "__main__":
    sys.exit(main())
