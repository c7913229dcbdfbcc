"""Linear classifiers (CS231n lecture 3): the SVM and softmax losses, their gradients, minibatch SGD.

The graded modules and their functions keep CS231n's names and signatures, so
CS231n's own starter code and its students' solutions drop in.
"""
from autograder.assignment import Assignment

ASSIGNMENT = Assignment(
    name="linear_classifiers",
    title="Linear classifiers: multiclass SVM and softmax losses, minibatch SGD",
    functions={
        "svm_loss_naive": "linear_svm.svm_loss_naive",
        "svm_loss_vectorized": "linear_svm.svm_loss_vectorized",
        "softmax_loss_naive": "softmax.softmax_loss_naive",
        "softmax_loss_vectorized": "softmax.softmax_loss_vectorized",
        "train": "linear_classifier.LinearClassifier.train",
        "predict": "linear_classifier.LinearClassifier.predict",
    },
    kinds=("values", "gradient", "sanity", "stability", "speed", "vectorised", "api", "sgd"),
    notebook="linear_classifiers.ipynb",
    questions=True,
    package="cs231n.classifiers",
    package_aliases=("linear_classifiers.classifiers", "classifiers"),
    module_folder="classifiers",
    imports={"linear_classifier": ("linear_svm", "softmax")},
    data_files=("cifar-10-batches-py", "cifar-10-python.tar.gz", "cifar-10-python.tar.gz.part",
                ".cifar-10-extract-*"),
)
