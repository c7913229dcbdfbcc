"""How long does `similarity` take on a class? Prints the time and peak memory per class size.

A class of SIZE students is generated from the evaluation set
(benchmarks/similarity_eval/): each student takes, for each loss function, one
of the seven independent styles at random, train/predict variants at random,
and one random disguise (or none), so the class is full of partial matches, the
costly case. Each size times `python -m autograder similarity` (start-up, CSV
and HTML included) on a fresh folder, in one process (the verb uses one core).
Run: python benchmarks/bench_similarity.py [--sizes 100 500] [--seed 0]
"""
import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.similarity_eval import disguise, originals  # noqa: E402


def build_class(folder: Path, size: int, seed: int) -> None:
    """size student folders of randomly mixed styles and disguises."""
    rng = random.Random(seed)
    transformations = [None] + list(disguise.TRANSFORMATIONS.values())
    starters = {module: (originals.STARTER / f"{module}.py").read_text() for module in originals.MODULES}
    for student in range(size):
        bodies = originals.regions(rng.randrange(originals.STUDENTS))
        for function in originals.LOSSES:
            bodies[function] = [rng.choice(originals.SOLUTIONS[function])]
        transform = rng.choice(transformations)
        target = folder / f"student{student:04d}" / "classifiers"
        target.mkdir(parents=True)
        for module, starter in starters.items():
            text = originals.fill(starter, bodies)
            (target / f"{module}.py").write_text(transform(text) if transform else text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print("| class | time | peak memory |\n| --- | --- | --- |")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as temporary:
            folder = Path(temporary)
            build_class(folder / "submissions", size, args.seed)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "autograder", "similarity", str(folder / "submissions"),
                            "--out", str(folder / "grades")], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            elapsed = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"| {size} | {elapsed:.1f} s | {peak:.0f} MiB (largest so far) |", flush=True)


if __name__ == "__main__":
    main()
