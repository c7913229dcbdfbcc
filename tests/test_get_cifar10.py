"""datasets/get_cifar10.py (the assignment's) against a local HTTP server serving a tiny archive in CIFAR-10's layout."""
import hashlib
import importlib.util
import io
import random
import re
import socket
import subprocess
import sys
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / "solutions" / "linear_classifiers" / "datasets" / "get_cifar10.py"
spec = importlib.util.spec_from_file_location("get_cifar10_under_test", SCRIPT)
get_cifar10 = importlib.util.module_from_spec(spec)
spec.loader.exec_module(get_cifar10)

MEMBER_NAMES = ["batches.meta", "data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4",
                "data_batch_5", "test_batch", "readme.html"]


def make_tarball(files, extra=()):
    """A .tar.gz (bytes) holding cifar-10-batches-py/ with the given {name: bytes}, plus extra TarInfo members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        folder = tarfile.TarInfo("cifar-10-batches-py")
        folder.type, folder.mode = tarfile.DIRTYPE, 0o755
        archive.addfile(folder)
        for name, content in files.items():
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        for info in extra:
            archive.addfile(info, io.BytesIO(b"x" * info.size) if info.isfile() else None)
    return buffer.getvalue()


RANDOM = random.Random(0)
FILES = {name: RANDOM.randbytes(8000) for name in MEMBER_NAMES}  # random, so the archive stays ~64 KB
TARBALL = make_tarball(FILES)
EXPECTED = dict(expected_size=len(TARBALL), expected_md5=hashlib.md5(TARBALL).hexdigest())


class TarballHandler(BaseHTTPRequestHandler):
    """Serves server.payload at /cifar-10-python.tar.gz, honouring `Range: bytes=N-` unless told not to."""

    def do_GET(self):
        server = self.server
        range_header = self.headers.get("Range")
        server.range_headers.append(range_header)
        if self.path != "/cifar-10-python.tar.gz":
            self.send_error(404)
            return
        payload, start = server.payload, 0
        if range_header and server.honour_range:
            start = int(re.fullmatch(r"bytes=(\d+)-", range_header).group(1))
            if start >= len(payload):
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(payload) - 1}/{len(payload)}")
        else:
            self.send_response(200)
        body = payload[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if server.cut_after is None:
            self.wfile.write(body)
        else:  # promise the whole body, send part of it, hang up
            self.wfile.write(body[:server.cut_after])
            self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), TarballHandler)
    httpd.payload, httpd.honour_range, httpd.cut_after, httpd.range_headers = TARBALL, True, None, []
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/cifar-10-python.tar.gz"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def fetch(server, dest, **overrides):
    return get_cifar10.fetch_cifar10(dest, server.url, progress=False, **{**EXPECTED, **overrides})


def assert_extracted(dest):
    dataset = dest / "cifar-10-batches-py"
    assert sorted(path.name for path in dataset.iterdir()) == sorted(MEMBER_NAMES)
    assert all((dataset / name).read_bytes() == content for name, content in FILES.items())


def test_good_download_is_extracted_and_the_archive_removed(server, tmp_path):
    assert fetch(server, tmp_path) == tmp_path / "cifar-10-batches-py"
    assert_extracted(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["cifar-10-batches-py"]
    assert server.range_headers == [None]


@pytest.mark.parametrize("wrong, problem", [
    (dict(expected_md5="0" * 32), "MD5"),
    (dict(expected_size=len(TARBALL) - 1), "bytes, expected"),
])
def test_a_bad_archive_is_deleted_and_nothing_is_extracted(server, tmp_path, wrong, problem):
    with pytest.raises(get_cifar10.FetchError, match=problem) as error:
        fetch(server, tmp_path, **wrong)
    assert "\n" not in str(error.value) and "--url" in str(error.value)
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_download_keeps_its_part_file(server, tmp_path):
    server.cut_after = 10_000
    with pytest.raises(get_cifar10.FetchError, match="stopped after 10,000 of .*rerun to resume"):
        fetch(server, tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["cifar-10-python.tar.gz.part"]
    assert (tmp_path / "cifar-10-python.tar.gz.part").read_bytes() == TARBALL[:10_000]


def test_a_rerun_resumes_from_the_part_file(server, tmp_path):
    server.cut_after = 10_000
    with pytest.raises(get_cifar10.FetchError):
        fetch(server, tmp_path)
    server.cut_after = None
    fetch(server, tmp_path)
    assert server.range_headers == [None, "bytes=10000-"]
    assert_extracted(tmp_path)


def test_a_server_that_ignores_range_restarts_the_download(server, tmp_path):
    (tmp_path / "cifar-10-python.tar.gz.part").write_bytes(b"stale bytes from another file")
    server.honour_range = False
    fetch(server, tmp_path)
    assert server.range_headers == ["bytes=29-"]
    assert_extracted(tmp_path)


def test_a_part_file_longer_than_the_servers_file_is_dropped(server, tmp_path):
    part = tmp_path / "cifar-10-python.tar.gz.part"
    part.write_bytes(b"x" * (len(TARBALL) + 5))
    with pytest.raises(get_cifar10.FetchError, match="HTTP 416"):
        fetch(server, tmp_path, expected_size=len(TARBALL) + 100)
    assert not part.exists()


def test_an_archive_already_in_dest_is_used_without_downloading(server, tmp_path):
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(TARBALL)
    fetch(server, tmp_path)
    assert server.range_headers == []
    assert_extracted(tmp_path)


def unsafe_member(name, kind=tarfile.REGTYPE, target=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, target, 1 if kind == tarfile.REGTYPE else 0
    return info


@pytest.mark.parametrize("member", [
    unsafe_member("../escaped"),
    unsafe_member("/tmp/absolute"),
    unsafe_member("cifar-10-batches-py/../../escaped"),
    unsafe_member("cifar-10-batches-py/link", tarfile.SYMTYPE, "/etc/passwd"),
    unsafe_member("cifar-10-batches-py/hardlink", tarfile.LNKTYPE, "cifar-10-batches-py/data_batch_1"),
    unsafe_member("cifar-10-batches-py/fifo", tarfile.FIFOTYPE),
], ids=lambda member: member.name)
def test_unsafe_archive_members_are_refused(tmp_path, member):
    archive = tmp_path / "evil.tar.gz"
    archive.write_bytes(make_tarball(FILES, extra=[member]))
    (tmp_path / "out").mkdir()
    with pytest.raises(get_cifar10.FetchError, match="refusing to extract"):
        get_cifar10.extract_atomically(archive, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
    assert not (tmp_path / "escaped").exists()


def test_a_corrupt_archive_leaves_nothing_where_the_loader_looks(tmp_path):
    archive = tmp_path / "cifar-10-python.tar.gz"
    archive.write_bytes(TARBALL[: len(TARBALL) // 2])
    (tmp_path / "out").mkdir()
    with pytest.raises(get_cifar10.FetchError, match="could not extract"):
        get_cifar10.extract_atomically(archive, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_the_dataset_folder_appears_complete_in_one_rename(server, tmp_path, monkeypatch):
    renames = []
    real_replace = get_cifar10.os.replace

    def spying_replace(source, destination):
        renames.append((source, destination, sorted(path.name for path in source.iterdir())
                        if source.is_dir() else None, destination.exists()))
        real_replace(source, destination)

    monkeypatch.setattr(get_cifar10.os, "replace", spying_replace)
    fetch(server, tmp_path)
    source, destination, contents, existed = renames[-1]
    assert destination == tmp_path / "cifar-10-batches-py" and not existed
    assert source.parent.parent == tmp_path and contents == sorted(MEMBER_NAMES)


def test_cli_downloads_from_the_environment_variable_url(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CIFAR10_URL", server.url)
    status = get_cifar10.main(["--dest", str(tmp_path), "--size", str(len(TARBALL)),
                               "--md5", EXPECTED["expected_md5"]])
    assert status == 0 and "ready" in capsys.readouterr().out
    assert_extracted(tmp_path)


def test_cli_reports_an_http_error_in_one_line(server, tmp_path, capsys):
    status = get_cifar10.main(["--url", server.url + ".missing", "--dest", str(tmp_path)])
    error = capsys.readouterr().err
    assert status == 1 and error.count("\n") == 1 and "HTTP 404" in error and "--url" in error


def test_cli_says_in_one_line_when_the_server_is_down(tmp_path):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = subprocess.run([sys.executable, str(SCRIPT), "--url", f"http://127.0.0.1:{port}/x.tar.gz",
                             "--dest", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
    assert "cannot reach" in result.stderr and "--url" in result.stderr and "offline" in result.stderr
    assert not (tmp_path / "cifar-10-batches-py").exists()


def test_cli_help_mentions_the_mirror_option(capsys):
    with pytest.raises(SystemExit) as exit_info:
        get_cifar10.main(["--help"])
    assert exit_info.value.code == 0 and "--url" in capsys.readouterr().out
