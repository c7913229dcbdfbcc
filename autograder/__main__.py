"""`python -m autograder VERB ...`: dispatch each verb to its own module, importing only that one."""
import argparse
import ast
import importlib
import importlib.util
import sys
from pathlib import Path

VERBS = {
    "release": "autograder.release",
    "grade": "autograder.grade",
    "rubric": "autograder.rubric",
    "grade-all": "autograder.grade_all",
    "merge": "autograder.merge",
    "report": "autograder.item_analysis",
    "gradescope": "autograder.gradescope",
    "similarity": "autograder.similarity",
}


def _summary(module_name: str):
    """(HELP, docstring) of a verb's module, read from its source without importing it."""
    with open(importlib.util.find_spec(module_name).origin, encoding="utf-8") as stream:
        tree = ast.parse(stream.read())
    help_text = next((node.value.value for node in tree.body if isinstance(node, ast.Assign)
                      and any(getattr(target, "id", None) == "HELP" for target in node.targets)
                      and isinstance(node.value, ast.Constant)), "")
    return help_text, ast.get_docstring(tree) or help_text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="linclass" if Path(sys.argv[0]).name == "linclass" else "python -m autograder",
        description="linclass-kit: release the assignment and grade submissions.")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    chosen = next((word for word in (sys.argv[1:] if argv is None else argv) if not word.startswith("-")), None)
    for verb, module_name in VERBS.items():
        help_text, description = _summary(module_name)
        subparser = verbs.add_parser(verb, help=help_text, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
        if verb == chosen:
            importlib.import_module(module_name).add_arguments(subparser)
    args = parser.parse_args(argv)
    return importlib.import_module(VERBS[args.verb]).run(args)


if __name__ == "__main__":
    sys.exit(main())
