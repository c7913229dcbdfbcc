"""Datasets for the linear classifiers, preprocessed the CS231n way.

`load_dataset()` returns CIFAR-10 if it has been downloaded
(`python datasets/get_cifar10.py` in this folder) and otherwise the small
handwritten-digits dataset that ships with scikit-learn, so everything also
works offline. Both come as the same dict: train/val/test/dev splits
whose rows are flattened images minus the training mean, with a bias column of
ones appended (the "bias trick": W then holds the biases in its last row).
"""
import os
import pickle
from pathlib import Path
from typing import Any, Dict, Optional, Tuple, Union

import numpy as np
from sklearn.datasets import load_digits

CIFAR10_DIR_NAME = "cifar-10-batches-py"
CIFAR10_CLASS_NAMES = ["plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
CIFAR10_IMAGE_SHAPE = (32, 32, 3)
DIGITS_IMAGE_SHAPE = (8, 8)
DIGITS_MAX_PIXEL = 16.0
DATA_ENV_VAR = "LINCLASS_DATA"

PathLike = Union[str, os.PathLike]


def load_CIFAR_batch(filename: PathLike) -> Tuple[np.ndarray, np.ndarray]:
    """Load one CIFAR-10 batch file.

    Returns X: (N, 32, 32, 3) float64 pixel values in [0, 255] and y: (N,) int64
    labels in [0, 10). Each stored row holds the 1024 red values, then the green,
    then the blue ones, each plane row by row.
    """
    with open(filename, "rb") as file:
        batch = pickle.load(file, encoding="bytes")  # the files were pickled by Python 2: keys are bytes
    images = np.asarray(batch[b"data"]).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images.astype(np.float64), np.asarray(batch[b"labels"], dtype=np.int64)


def load_CIFAR10(root: PathLike) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load all of CIFAR-10 from its cifar-10-batches-py folder.

    Returns Xtr: (50000, 32, 32, 3) float64, ytr: (50000,) int64 (data_batch_1..5
    in order), Xte: (10000, 32, 32, 3) float64, yte: (10000,) int64 (test_batch).
    """
    root = Path(root)
    batches = [load_CIFAR_batch(root / f"data_batch_{index}") for index in range(1, 6)]
    Xtr = np.concatenate([images for images, _ in batches])
    ytr = np.concatenate([labels for _, labels in batches])
    Xte, yte = load_CIFAR_batch(root / "test_batch")
    return Xtr, ytr, Xte, yte


def get_CIFAR10_data(root: PathLike, num_training: int = 49000, num_validation: int = 1000,
                     num_test: int = 1000, num_dev: int = 500, seed: int = 0) -> Dict[str, Any]:
    """CIFAR-10 split and preprocessed as in CS231n (D = 3073).

    Train is the first num_training training images, val the num_validation after
    them, test the first num_test test images, and dev num_dev random training
    images (drawn with seed) for quick experiments. See `preprocess` for the keys.
    """
    Xtr, ytr, Xte, yte = load_CIFAR10(root)
    return preprocess(Xtr, ytr, Xte, yte, num_training=num_training, num_validation=num_validation,
                      num_test=num_test, num_dev=num_dev, seed=seed, name="CIFAR-10",
                      class_names=list(CIFAR10_CLASS_NAMES), image_shape=CIFAR10_IMAGE_SHAPE)


def get_digits_data(num_training: int = 1200, num_validation: int = 297, num_test: int = 300,
                    num_dev: int = 100, seed: int = 0) -> Dict[str, Any]:
    """scikit-learn's 1797 handwritten digits (8x8, pixels scaled to [0, 1]), preprocessed like CIFAR-10 (D = 65).

    Needs no download. The images are shuffled with seed, the first num_test
    become the test set and the rest are split like CIFAR-10's training images.
    See `preprocess` for the keys.
    """
    digits = load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.target))
    images = digits.images[order] / DIGITS_MAX_PIXEL
    labels = digits.target[order].astype(np.int64)
    return preprocess(images[num_test:], labels[num_test:], images[:num_test], labels[:num_test],
                      num_training=num_training, num_validation=num_validation, num_test=num_test,
                      num_dev=num_dev, seed=seed, name="digits",
                      class_names=[str(digit) for digit in range(10)], image_shape=DIGITS_IMAGE_SHAPE)


def preprocess(train_images: np.ndarray, train_labels: np.ndarray, test_images: np.ndarray,
               test_labels: np.ndarray, *, num_training: int, num_validation: int, num_test: int,
               num_dev: int, seed: int, **info: Any) -> Dict[str, Any]:
    """Split, flatten, subtract the training mean image and append a bias column of ones.

    Returns a dict with X_train, X_val, X_test, X_dev: (N, D) float64 rows
    (D = pixels + 1, the last column all ones); y_train, y_val, y_test, y_dev:
    (N,) int64 labels; mean_image: (D - 1,) float64, the mean training row that
    was subtracted; and the keys of info (name, class_names, image_shape, so a
    row without its bias reshapes to an image with `row[:-1].reshape(image_shape)`).
    """
    if num_training + num_validation > len(train_images) or num_test > len(test_images):
        raise ValueError(f"asked for {num_training} train + {num_validation} val and {num_test} test images, "
                         f"but there are only {len(train_images)} and {len(test_images)}; ask for fewer.")
    if num_dev > num_training:
        raise ValueError(f"num_dev ({num_dev}) cannot exceed num_training ({num_training}).")
    dev_indices = np.random.default_rng(seed).choice(num_training, num_dev, replace=False)
    validation = slice(num_training, num_training + num_validation)
    splits = {
        "train": (train_images[:num_training], train_labels[:num_training]),
        "val": (train_images[validation], train_labels[validation]),
        "test": (test_images[:num_test], test_labels[:num_test]),
        "dev": (train_images[dev_indices], train_labels[dev_indices]),
    }
    mean_image = splits["train"][0].reshape(num_training, -1).mean(axis=0)
    data: Dict[str, Any] = {}
    for split, (images, labels) in splits.items():
        centred = images.reshape(len(images), -1) - mean_image
        data[f"X_{split}"] = np.hstack([centred, np.ones((len(images), 1))])
        data[f"y_{split}"] = labels
    data["mean_image"] = mean_image
    data.update(info)
    return data


def default_cifar10_dir() -> Path:
    """Where CIFAR-10 is looked for: $LINCLASS_DATA if set, else datasets/cifar-10-batches-py of the first
    folder, from this file's own up, that has a datasets/ subfolder: this assignment's, where
    `python datasets/get_cifar10.py` puts it (or, in a layout without one, a repository's above it).
    """
    if os.environ.get(DATA_ENV_VAR):
        return Path(os.environ[DATA_ENV_VAR]).expanduser()
    here = Path(__file__).resolve().parent
    for folder in (here, *here.parents):
        if (folder / "datasets").is_dir():
            return folder / "datasets" / CIFAR10_DIR_NAME
    return Path("datasets") / CIFAR10_DIR_NAME


def load_dataset(root: Optional[PathLike] = None, **kwargs: Any) -> Dict[str, Any]:
    """CIFAR-10 from root (default: `default_cifar10_dir()`) if it is there, else the bundled digits.

    kwargs (split sizes, seed) go to `get_CIFAR10_data` or `get_digits_data`,
    whichever is used; both return the dict described in `preprocess`, whose
    "name" says which one you got.
    """
    cifar10_dir = Path(root) if root is not None else default_cifar10_dir()
    if cifar10_dir.is_dir():
        return get_CIFAR10_data(cifar10_dir, **kwargs)
    print(f"CIFAR-10 not found in {cifar10_dir}, so the embedded digits dataset (8x8 images) is used instead; "
          f"to get CIFAR-10 (170 MB), run `python datasets/get_cifar10.py` in {Path(__file__).resolve().parent} "
          f"or set {DATA_ENV_VAR} to a cifar-10-batches-py folder.")
    return get_digits_data(**kwargs)
