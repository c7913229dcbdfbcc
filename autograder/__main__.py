"""`python -m autograder VERB ...`: dispatch each verb to its own module."""
import argparse
import importlib
import sys

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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description="linclass-kit: release the assignment and grade submissions.")
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    modules = {}
    for verb, module_name in VERBS.items():
        module = importlib.import_module(module_name)
        modules[verb] = module
        module.add_arguments(verbs.add_parser(verb, help=module.HELP, description=module.HELP))
    args = parser.parse_args(argv)
    return modules[args.verb].run(args)


if __name__ == "__main__":
    sys.exit(main())
