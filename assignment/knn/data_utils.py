"""The data of the kNN exercise: scikit-learn's handwritten digits, so nothing needs downloading.

`get_digits_data()` shuffles the 1797 8x8 images once (with a seed), flattens
each into a row of 64 pixel values and splits them into train, val and test.
The pixels stay raw (whole numbers from 0 to 16, like CIFAR-10's 0 to 255): a
nearest-neighbour classifier compares raw pixels.
"""
from typing import Any, Dict

import numpy as np
from sklearn.datasets import load_digits

IMAGE_SHAPE = (8, 8)
CLASS_NAMES = [str(digit) for digit in range(10)]


def get_digits_data(num_training: int = 1200, num_validation: int = 297, num_test: int = 300,
                    seed: int = 0) -> Dict[str, Any]:
    """The digits, shuffled with seed and split in that order into train, val and test.

    Returns a dict with X_train, X_val, X_test: (N, 64) float64 rows of pixel
    values; y_train, y_val, y_test: (N,) int64 labels in [0, 10); and name,
    class_names and image_shape (a row reshapes to an image with
    `row.reshape(image_shape)`).
    """
    digits = load_digits()
    if num_training + num_validation + num_test > len(digits.target):
        raise ValueError(f"asked for {num_training} + {num_validation} + {num_test} images, but there are only "
                         f"{len(digits.target)}; ask for fewer.")
    order = np.random.default_rng(seed).permutation(len(digits.target))
    images = digits.images[order].reshape(len(order), -1).astype(np.float64)
    labels = digits.target[order].astype(np.int64)
    ends = np.cumsum([num_training, num_validation, num_test])
    data: Dict[str, Any] = {"name": "digits", "class_names": list(CLASS_NAMES), "image_shape": IMAGE_SHAPE}
    for split, start, end in zip(("train", "val", "test"), (0, *ends[:2]), ends):
        data[f"X_{split}"], data[f"y_{split}"] = images[start:end], labels[start:end]
    return data
