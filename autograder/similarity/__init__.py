"""Code similarity across a class: who shared code, per graded function and per module, shown side by side.

normalise.py and fingerprints.py reduce each graded module to fingerprints,
compare.py scores every pair of the class (and every submission against known
outside solutions), report.py writes `similarity.csv` and `similarity.html`
for instructors. The command-line verb is autograder/verbs/similarity.py.
Importing this package is light: the item-analysis report reads only the file
names below; scipy and Jinja2 wait until a comparison runs.
"""

CSV_NAME, HTML_NAME = "similarity.csv", "similarity.html"
