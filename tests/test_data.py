import gzip
import io
import os
import re
import shutil
import socket
import urllib.error

import numpy as np
import pytest

from clusterprop.data import (
    FASHION_MNIST_CLASSES,
    FASHION_MNIST_FILES,
    SYSTEM_DIR_VARIABLE,
    URL_VARIABLE,
    DataError,
    decode_idx,
    download,
    download_problem,
    fashion_mnist_unavailable,
    find_spec,
    load_npz_dataset,
    prepare_dataset,
    read_idx,
    resolve_fashion_mnist_dir,
    verify_fashion_mnist_file,
)
from clusterprop.formats import read_source
from clusterprop.workflow.config import ConfigError, check
from workflow_helpers import copy_workflow, merged_config, snakemake


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def test_decode_idx_known_answer():
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(decode_idx(idx_bytes(images)), images)


def test_decode_idx_big_endian_int32():
    values = np.array([1, -2, 70000], dtype=np.int32)
    decoded = decode_idx(idx_bytes(values, type_code=0x0C))
    np.testing.assert_array_equal(decoded, values)
    assert decoded.dtype == np.dtype("int32")


def test_decode_idx_refuses_wrong_magic():
    data = bytearray(idx_bytes(np.zeros((2, 2), np.uint8)))
    data[2] = 0x07
    with pytest.raises(DataError, match="wrong magic number 0x00000702"):
        decode_idx(bytes(data), "x.idx")
    with pytest.raises(DataError, match="wrong magic"):
        decode_idx(b"\x01" + bytes(data[1:]))


def test_decode_idx_refuses_truncated_and_trailing_bytes():
    data = idx_bytes(np.ones((3, 5, 5), np.uint8))
    with pytest.raises(DataError, match=r"x: truncated: 90 bytes, .*\(3, 5, 5\) need 91"):
        decode_idx(data[:-1], "x")
    with pytest.raises(DataError, match="trailing bytes"):
        decode_idx(data + b"\0", "x")
    with pytest.raises(DataError, match="truncated IDX header"):
        decode_idx(data[:9], "x")


def test_read_idx_truncated_gzip(tmp_path, fashion_dir):
    source = (fashion_dir / "t10k-labels-idx1-ubyte.gz").read_bytes()
    broken = tmp_path / "t10k-labels-idx1-ubyte.gz"
    broken.write_bytes(source[: len(source) // 2])
    with pytest.raises(DataError, match="corrupt or truncated gzip"):
        read_idx(broken)


def test_real_fashion_mnist_decodes(fashion):
    assert fashion["X_train"].shape == (60000, 28, 28)
    assert fashion["X_test"].shape == (10000, 28, 28)
    assert fashion["X_train"].dtype == np.uint8
    # the published first labels: ankle boot, T-shirt, T-shirt, dress, T-shirt, pullover
    np.testing.assert_array_equal(fashion["y_train"][:6], [9, 0, 0, 3, 0, 2])
    np.testing.assert_array_equal(np.bincount(fashion["y_train"]), [6000] * 10)
    np.testing.assert_array_equal(np.bincount(fashion["y_test"]), [1000] * 10)


def test_md5_accepts_published_and_recompressed_files(tmp_path, fashion_dir):
    spec = find_spec("t10k-labels-idx1-ubyte.gz")
    system_copy = fashion_dir / spec.name  # Debian recompressed it: only the content matches
    verify_fashion_mnist_file(system_copy, spec)
    recompressed = tmp_path / spec.name
    recompressed.write_bytes(gzip.compress(gzip.decompress(system_copy.read_bytes()), mtime=0))
    verify_fashion_mnist_file(recompressed, spec)


def test_md5_mismatch_is_refused(tmp_path, fashion_dir):
    spec = find_spec("t10k-labels-idx1-ubyte.gz")
    content = bytearray(gzip.decompress((fashion_dir / spec.name).read_bytes()))
    content[100] ^= 1  # one flipped bit in one label
    bad = tmp_path / spec.name
    bad.write_bytes(gzip.compress(bytes(content)))
    with pytest.raises(DataError, match=f"MD5 mismatch for {spec.name}"):
        verify_fashion_mnist_file(bad, spec)


def test_md5_mismatch_leaves_no_output(tmp_path, fashion_dir):
    """A corrupt input file fails the data step before anything is written."""
    files = {}
    for spec in FASHION_MNIST_FILES:
        files[spec.role] = tmp_path / spec.name
        shutil.copy(fashion_dir / spec.name, files[spec.role])
    with open(files["y_test"], "r+b") as handle:
        handle.seek(-20, 2)
        handle.write(b"\0" * 4)
    source = {"format": "fashion-mnist", "n_train": None, "n_test": None}
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz: MD5 mismatch"):
        read_source({k: str(v) for k, v in files.items()}, source)


class FakeResponse(io.BytesIO):
    def __init__(self, body: bytes, length: int):
        super().__init__(body)
        self.headers = {"Content-Length": str(length)}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_download_retries_cut_off_transfer_then_lands_verified(tmp_path, fashion_dir):
    spec = find_spec("t10k-labels-idx1-ubyte.gz")
    body = (fashion_dir / spec.name).read_bytes()
    responses = [FakeResponse(body[:1000], len(body)), FakeResponse(body, len(body))]
    dest = tmp_path / spec.name
    download(
        "http://example.invalid/" + spec.name,
        dest,
        verify=lambda p: verify_fashion_mnist_file(p, spec),
        opener=lambda url, timeout: responses.pop(0),
    )
    assert dest.read_bytes() == body
    assert [p.name for p in tmp_path.iterdir()] == [spec.name]


def test_network_error_is_reported_as_such(tmp_path):
    def unreachable(url, timeout):
        raise urllib.error.URLError("Name or service not known")

    with pytest.raises(DataError, match="after 2 attempts: <urlopen error Name or service"):
        download(
            "http://example.invalid/x",
            tmp_path / "x.gz",
            verify=print,
            attempts=2,
            opener=unreachable,
        )
    assert list(tmp_path.iterdir()) == []


def test_download_of_corrupt_file_is_refused_and_leaves_nothing(tmp_path):
    spec = find_spec("t10k-labels-idx1-ubyte.gz")
    dest = tmp_path / spec.name
    with pytest.raises(DataError, match="after 2 attempts: .*MD5 mismatch"):
        download(
            "http://example.invalid/x",
            dest,
            verify=lambda p: verify_fashion_mnist_file(p, spec),
            attempts=2,
            opener=lambda url, timeout: FakeResponse(b"not the file", 12),
        )
    assert list(tmp_path.iterdir()) == []


def test_resolve_fashion_mnist_dir(tmp_path, fashion_dir):
    assert resolve_fashion_mnist_dir("/my/dir") == tmp_path.__class__("/my/dir")
    assert resolve_fashion_mnist_dir(None) == fashion_dir
    assert resolve_fashion_mnist_dir(None, system_dir=str(tmp_path)) is None


def closed_port_url() -> str:
    """A loopback address where nothing listens: a download from it fails at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_a_download_that_cannot_start_says_why():
    assert download_problem(closed_port_url() + "x.gz", timeout=5) == "Connection refused"

    def answers_405(request, timeout):  # a server that answers, if not to HEAD
        raise urllib.error.HTTPError(request.full_url, 405, "Method Not Allowed", {}, None)

    assert download_problem("http://mirror.invalid/x.gz", opener=answers_405) is None


def test_fashion_mnist_on_this_machine_or_downloadable_asks_nothing(tmp_path, fashion_dir):
    def never(url):
        raise AssertionError("no download is needed")

    assert fashion_mnist_unavailable(str(fashion_dir), str(tmp_path), problem=never) == []
    assert fashion_mnist_unavailable(None, str(tmp_path), problem=never) == []  # the system copy


def test_fashion_mnist_missing_and_not_downloadable_names_both_ways_out(tmp_path, monkeypatch):
    monkeypatch.setenv(SYSTEM_DIR_VARIABLE, str(tmp_path / "empty"))
    monkeypatch.setenv(URL_VARIABLE, "http://127.0.0.1:9/mirror/")
    asked = []

    def unreachable(url):
        asked.append(url)
        return "Name or service not known"

    downloads = tmp_path / "resources"
    lines = fashion_mnist_unavailable(None, str(downloads), problem=unreachable)
    assert asked == ["http://127.0.0.1:9/mirror/train-images-idx3-ubyte.gz"]
    assert lines[0] == (
        "data: Fashion-MNIST is not on this machine and could not be downloaded from "
        "http://127.0.0.1:9/mirror/ (Name or service not known)."
    )
    text = "\n".join(lines)
    assert "apt-get install -y dataset-fashion-mnist" in text
    assert f"into {downloads}/ here, or a folder of yours named by dataset.path" in text
    assert all(spec.name in text for spec in FASHION_MNIST_FILES)
    assert len(lines) <= 15
    # all four already downloaded: nothing to ask
    downloads.mkdir()
    for spec in FASHION_MNIST_FILES:
        (downloads / spec.name).write_bytes(b"")
    assert fashion_mnist_unavailable(None, str(downloads), problem=unreachable) == []


def test_a_configured_folder_without_the_files_names_those_it_lacks(tmp_path, fashion_dir):
    shutil.copy(fashion_dir / "t10k-labels-idx1-ubyte.gz", tmp_path)
    lines = fashion_mnist_unavailable(str(tmp_path), "resources/fashion-mnist")
    assert lines[0] == (
        f"data: dataset.path: {tmp_path} lacks train-images-idx3-ubyte.gz, "
        "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz."
    )
    assert f"into {tmp_path}/ (dataset.path)" in "\n".join(lines)


@pytest.mark.parametrize("where", ["system copy missing", "dataset.path empty"])
def test_a_first_run_without_the_data_set_says_what_to_do_in_a_few_lines(tmp_path, where):
    """The README's main command on a machine without the data set and without the
    internet (the system copy's place an empty folder, the download's a closed port):
    a few lines, both ways out, no traceback, no job run."""
    workdir = copy_workflow(tmp_path / "workflow")
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {**os.environ, SYSTEM_DIR_VARIABLE: str(empty), URL_VARIABLE: closed_port_url()}
    config = {"dataset": {"path": str(empty)}} if where == "dataset.path empty" else None
    result = snakemake(workdir, "--cores", "1", config=config, check=False, env=env)
    output = (result.stdout + result.stderr).strip()
    assert result.returncode != 0
    assert len(output.splitlines()) <= 15, output
    assert "Traceback" not in output
    assert output.endswith("Nothing was run."), output
    assert [line for line in output.splitlines() if line.startswith("data: ")], output
    assert "apt-get install -y dataset-fashion-mnist" in output
    assert "train-images-idx3-ubyte.gz" in output
    assert not (workdir / "results").exists() and not (workdir / "resources").exists()


def test_read_source_fashion_mnist_subset(fashion_dir):
    inputs = {spec.role: str(fashion_dir / spec.name) for spec in FASHION_MNIST_FILES}
    source = {"format": "fashion-mnist", "n_train": 500, "n_test": 100, "class_names": None}
    data = read_source(inputs, source)
    assert data["X_train"].shape == (500, 28, 28)
    assert data["y_test"].shape == (100,)
    assert data["class_names"].tolist() == list(FASHION_MNIST_CLASSES)


def test_npz_dataset_any_size_and_classes(tmp_path, fashion):
    path = tmp_path / "small.npz"
    crops = fashion["X_train"][:40, 4:20, 4:24]  # 16 x 20 images, 3 classes
    np.savez(
        path,
        X_train=crops[:30],
        y_train=fashion["y_train"][:30] % 3,
        X_test=crops[30:],
        y_test=fashion["y_train"][30:40] % 3,
    )
    data = read_source({"npz": str(path)}, {"format": "npz", "class_names": ["a", "b", "c"]})
    assert data["X_train"].shape == (30, 16, 20)
    assert data["class_names"].tolist() == ["a", "b", "c"]


def test_npz_dataset_missing_array(tmp_path):
    path = tmp_path / "bad.npz"
    np.savez(path, X_train=np.zeros((2, 3, 3)), y_train=np.zeros(2, int))
    with pytest.raises(DataError, match=r"missing array\(s\) \['X_test', 'y_test'\]"):
        load_npz_dataset(path)


def fashion_npz(path, fashion, compressed=True):
    (np.savez_compressed if compressed else np.savez)(
        path,
        X_train=fashion["X_train"][:500],
        y_train=fashion["y_train"][:500],
        X_test=fashion["X_test"][:100],
        y_test=fashion["y_test"][:100],
    )
    return path


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: data[: len(data) // 2], "not a .npz file"),  # truncated
        (lambda data: data[:-10], "not a .npz file"),  # the zip directory cut off
        (lambda data: b"hello, not a zip\n" * 10, "not a .npz file"),
        # the compressed images overwritten, the zip directory intact
        (lambda data: data[:2000] + bytes(4000) + data[6000:], "corrupt .npz file"),
    ],
)
def test_damaged_npz_is_refused_naming_the_file(tmp_path, fashion, damage, message):
    path = fashion_npz(tmp_path / "fashion.npz", fashion)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(DataError, match=re.escape(str(path)) + ": " + re.escape(message)):
        load_npz_dataset(path)


def test_truncated_npz_is_refused_with_the_config(tmp_path, fashion):
    path = fashion_npz(tmp_path / "fashion.npz", fashion)
    path.write_bytes(path.read_bytes()[:5000])
    config = merged_config({"dataset": {"format": "npz", "path": str(path)}})
    with pytest.raises(ConfigError, match=f"dataset.path: {re.escape(str(path))} is not a .npz"):
        check(config)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"y_train": np.array([0, 1, 5])}, "label 5 but only 3 class names"),
        ({"y_train": np.array([0, 1])}, "one label per image"),
        ({"X_train": np.full((3, 4, 4), 2.0)}, r"must lie in \[0, 1\]"),
        ({"X_test": np.zeros((2, 5, 4), np.uint8)}, "differ in size"),
    ],
)
def test_prepare_dataset_refuses_bad_arrays(change, message):
    arrays = {
        "X_train": np.zeros((3, 4, 4), np.uint8),
        "y_train": np.array([0, 1, 2]),
        "X_test": np.zeros((2, 4, 4), np.uint8),
        "y_test": np.array([0, 1]),
        **change,
    }
    with pytest.raises(DataError, match=message):
        prepare_dataset(arrays, class_names=["a", "b", "c"], source="t")


def test_a_stored_data_set_is_memory_mapped_and_reads_what_was_written(fashion, tmp_path):
    """The data set artifact is written uncompressed; ``load_npz(mmap=True)`` maps its
    arrays (the same values, rows read on indexing) and reads compressed ones whole."""
    from clusterprop.io import load_npz, save_npz

    arrays = {
        "X_train": fashion["X_train"][:3000],
        "y_train": fashion["y_train"][:3000],
        "train_ids": np.arange(3000) * 7,
        "class_names": np.array(["a", "bb", "ccc"]),
        "fortran": np.asfortranarray(fashion["X_test"][:50, :, 0]),
    }
    save_npz(tmp_path / "stored.npz", **arrays)
    save_npz(tmp_path / "packed.npz", compressed=True, **arrays)
    stored = load_npz(tmp_path / "stored.npz", *arrays, mmap=True)
    packed = load_npz(tmp_path / "packed.npz", *arrays, mmap=True)
    for key, array in arrays.items():
        np.testing.assert_array_equal(stored[key], array)
        np.testing.assert_array_equal(packed[key], array)
        assert not isinstance(packed[key], np.memmap)
    assert isinstance(stored["X_train"], np.memmap) and stored["X_train"].shape == (3000, 28, 28)
    np.testing.assert_array_equal(
        stored["X_train"][[5, 2999, 17]], arrays["X_train"][[5, 2999, 17]]
    )
    assert stored["class_names"].tolist() == ["a", "bb", "ccc"]


def test_the_schema_knows_every_registered_format_and_no_other():
    import yaml

    from clusterprop.formats import FORMATS
    from conftest import REPO

    schema = yaml.safe_load((REPO / "schemas/config.schema.yaml").read_text())
    assert schema["properties"]["dataset"]["properties"]["format"]["enum"] == list(FORMATS)
