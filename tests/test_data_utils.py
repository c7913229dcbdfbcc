"""solutions/linear_classifiers/data_utils.py on tiny CIFAR-10 batches written here, and the digits fallback."""
import importlib.util
import pickle
import shutil

import numpy as np
import pytest

from tests.conftest import ROOT

DATA_UTILS = ROOT / "solutions" / "linear_classifiers" / "data_utils.py"
IMAGES_PER_BATCH = 4
NUM_TEST_IMAGES = 6


def import_by_path(path, module_name):
    """Import a file as a module without putting its folder on sys.path."""
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data_utils():
    return import_by_path(DATA_UTILS, "data_utils_under_test")


def known_image(index):
    """(32, 32, 3) uint8 whose channels tell row, column and image apart: R = row, G = column, B = index."""
    rows, cols = np.indices((32, 32))
    return np.stack([rows, cols, np.full((32, 32), index)], axis=-1).astype(np.uint8)


def cifar_row(image):
    """CIFAR-10's stored row for an image: all red values row by row, then all green, then all blue."""
    return np.concatenate([image[:, :, 0].ravel(), image[:, :, 1].ravel(), image[:, :, 2].ravel()])


def write_batch(path, first_index, count):
    """Write a batch file in CIFAR-10's format holding images first_index.. with labels index % 10."""
    indices = range(first_index, first_index + count)
    batch = {
        b"batch_label": b"tiny batch",
        b"labels": [index % 10 for index in indices],
        b"data": np.stack([cifar_row(known_image(index)) for index in indices]),
        b"filenames": [f"image_{index}.png".encode() for index in indices],
    }
    with open(path, "wb") as file:
        pickle.dump(batch, file, protocol=2)


@pytest.fixture(scope="module")
def cifar_dir(tmp_path_factory):
    """A cifar-10-batches-py folder with 5 training batches of 4 images (0..19) and a test batch of 6 (100..105)."""
    root = tmp_path_factory.mktemp("data") / "cifar-10-batches-py"
    root.mkdir()
    for batch in range(5):
        write_batch(root / f"data_batch_{batch + 1}", batch * IMAGES_PER_BATCH, IMAGES_PER_BATCH)
    write_batch(root / "test_batch", 100, NUM_TEST_IMAGES)
    return root


SMALL_SPLITS = dict(num_training=14, num_validation=4, num_test=5, num_dev=3)


def test_batch_rows_decode_channel_major_into_images(data_utils, cifar_dir):
    X, y = data_utils.load_CIFAR_batch(cifar_dir / "data_batch_2")
    assert X.shape == (IMAGES_PER_BATCH, 32, 32, 3) and X.dtype == np.float64
    assert y.dtype.kind == "i" and y.tolist() == [4, 5, 6, 7]
    for position, index in enumerate(range(4, 8)):
        assert np.array_equal(X[position], known_image(index))


def test_load_cifar10_concatenates_the_five_batches_in_order(data_utils, cifar_dir):
    Xtr, ytr, Xte, yte = data_utils.load_CIFAR10(cifar_dir)
    assert Xtr.shape == (20, 32, 32, 3) and Xte.shape == (NUM_TEST_IMAGES, 32, 32, 3)
    assert ytr.tolist() == [index % 10 for index in range(20)]
    assert yte.tolist() == [index % 10 for index in range(100, 106)]
    assert np.array_equal(Xtr[:, 0, 0, 2], np.arange(20)) and np.array_equal(Xte[:, 0, 0, 2], np.arange(100, 106))


def test_cifar10_splits_are_centred_rows_with_a_bias_column(data_utils, cifar_dir):
    data = data_utils.get_CIFAR10_data(cifar_dir, **SMALL_SPLITS)
    sizes = {"train": 14, "val": 4, "test": 5, "dev": 3}
    for split, size in sizes.items():
        assert data[f"X_{split}"].shape == (size, 3073) and data[f"X_{split}"].dtype == np.float64
        assert data[f"y_{split}"].shape == (size,)
        assert np.all(data[f"X_{split}"][:, -1] == 1.0)
    Xtr, ytr, Xte, yte = data_utils.load_CIFAR10(cifar_dir)
    rows = Xtr.reshape(20, -1)
    assert np.allclose(data["mean_image"], rows[:14].mean(axis=0))
    assert np.allclose(data["X_train"][:, :-1].mean(axis=0), 0.0)
    assert np.allclose(data["X_val"][:, :-1] + data["mean_image"], rows[14:18])
    assert np.allclose(data["X_test"][:, :-1] + data["mean_image"], Xte[:5].reshape(5, -1))
    assert data["y_val"].tolist() == ytr[14:18].tolist() and data["y_test"].tolist() == yte[:5].tolist()
    assert np.array_equal(data["X_train"][0, :-1].reshape(data["image_shape"]) + data["mean_image"].reshape(32, 32, 3),
                          Xtr[0])
    assert (data["name"], data["image_shape"], len(data["class_names"])) == ("CIFAR-10", (32, 32, 3), 10)


def test_dev_set_is_a_seeded_sample_of_the_training_set(data_utils, cifar_dir):
    data = data_utils.get_CIFAR10_data(cifar_dir, **SMALL_SPLITS, seed=3)
    train_rows = {tuple(row) for row in data["X_train"]}
    assert all(tuple(row) in train_rows for row in data["X_dev"])
    again = data_utils.get_CIFAR10_data(cifar_dir, **SMALL_SPLITS, seed=3)
    assert np.array_equal(data["X_dev"], again["X_dev"]) and np.array_equal(data["y_dev"], again["y_dev"])


def test_asking_for_more_images_than_exist_says_so(data_utils, cifar_dir):
    with pytest.raises(ValueError, match="only 20"):
        data_utils.get_CIFAR10_data(cifar_dir, num_training=19, num_validation=2, num_test=5, num_dev=3)


def test_digits_come_in_the_same_shape_with_65_features(data_utils):
    data = data_utils.get_digits_data()
    sizes = {split: len(data[f"y_{split}"]) for split in ("train", "val", "test", "dev")}
    assert sizes == {"train": 1200, "val": 297, "test": 300, "dev": 100}
    assert sizes["train"] + sizes["val"] + sizes["test"] == 1797
    for split in sizes:
        assert data[f"X_{split}"].shape == (sizes[split], 65) and np.all(data[f"X_{split}"][:, -1] == 1.0)
    assert set(data["y_train"].tolist()) == set(range(10))
    pixels = data["X_train"][:, :-1] + data["mean_image"]
    assert pixels.min() >= 0.0 and pixels.max() <= 1.0
    assert np.allclose(data["X_train"][:, :-1].mean(axis=0), 0.0)
    assert (data["name"], data["image_shape"], data["class_names"]) == ("digits", (8, 8), list("0123456789"))


def test_load_dataset_uses_cifar10_when_present(data_utils, cifar_dir, capsys):
    data = data_utils.load_dataset(cifar_dir, **SMALL_SPLITS)
    assert data["name"] == "CIFAR-10" and data["X_train"].shape == (14, 3073)
    assert capsys.readouterr().out == ""


def test_load_dataset_falls_back_to_digits_with_one_line(data_utils, tmp_path, capsys):
    data = data_utils.load_dataset(tmp_path / "nowhere")
    assert data["name"] == "digits" and data["X_train"].shape[1] == 65
    message = capsys.readouterr().out
    assert message.count("\n") == 1
    assert "CIFAR-10 not found" in message and "python datasets/get_cifar10.py" in message and "digits" in message


def test_load_dataset_reads_the_environment_variable(data_utils, cifar_dir, monkeypatch):
    monkeypatch.setenv("LINCLASS_DATA", str(cifar_dir))
    assert data_utils.load_dataset(**SMALL_SPLITS)["name"] == "CIFAR-10"


@pytest.mark.parametrize("package", ["solutions", "assignment"])
def test_default_location_is_the_datasets_folder_two_levels_up(tmp_path, monkeypatch, package):
    monkeypatch.delenv("LINCLASS_DATA", raising=False)
    module_path = tmp_path / "repo" / package / "linear_classifiers" / "data_utils.py"
    module_path.parent.mkdir(parents=True)
    (tmp_path / "repo" / "datasets").mkdir()
    shutil.copyfile(DATA_UTILS, module_path)
    copy = import_by_path(module_path, f"data_utils_copy_in_{package}")
    assert copy.default_cifar10_dir() == (tmp_path / "repo").resolve() / "datasets" / "cifar-10-batches-py"
