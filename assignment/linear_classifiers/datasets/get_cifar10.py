"""Download CIFAR-10 (python version) into datasets/, verified, resumable and atomic.

    python datasets/get_cifar10.py                 # from the official site
    python datasets/get_cifar10.py --url MIRROR    # or CIFAR10_URL=MIRROR

The archive is downloaded into `cifar-10-python.tar.gz.part` (an interrupted
download resumes from it with an HTTP Range request), checked for size and MD5,
extracted into a hidden staging folder and only then renamed to
`cifar-10-batches-py/`, so the loader never sees a half-written dataset.
Uses only the standard library and tqdm.
"""
import argparse
import hashlib
import os
import re
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zlib
from http.client import HTTPException, HTTPResponse
from pathlib import Path, PurePosixPath
from typing import List, Optional, Union

from tqdm import tqdm

OFFICIAL_URL = "http://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
URL_ENV_VAR = "CIFAR10_URL"
TARBALL_NAME = "cifar-10-python.tar.gz"
EXPECTED_SIZE = 170_498_071
EXPECTED_MD5 = "c58f30108f718f92721af3b95e74349a"
DATASET_DIR_NAME = "cifar-10-batches-py"
STAGING_PREFIX = ".cifar-10-extract-"
DATASETS_DIR = Path(__file__).resolve().parent
CHUNK_BYTES = 1 << 20
TIMEOUT_SECONDS = 30.0
NEXT_STEPS = (f"Pass --url MIRROR_URL (or set {URL_ENV_VAR}) to use a mirror; "
              "the notebook also works offline with the embedded digits dataset.")
# Python versions with tarfile's "data" filter (3.10.12+, 3.11.4+) get it on top of our own checks.
EXTRACT_OPTIONS = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}

PathLike = Union[str, os.PathLike]


class FetchError(Exception):
    """A download or extraction failed; the message is one line saying what to do next."""


def partial_path(tarball: Path) -> Path:
    """Where the archive is downloaded to until it is complete and verified."""
    return tarball.with_name(tarball.name + ".part")


def download(url: str, part: Path, expected_size: int, *,
             timeout: float = TIMEOUT_SECONDS, progress: bool = True) -> None:
    """Download url into part until it holds expected_size bytes, resuming what part already has.

    Raises FetchError if the server cannot be reached or answers with an error
    (part is left for the next try) or if the transfer stops early (part keeps
    what arrived, so a rerun resumes from there).
    """
    offset = part.stat().st_size if part.exists() else 0
    if offset > expected_size:
        part.unlink()
        offset = 0
    if offset == expected_size:
        return
    try:
        request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-"} if offset else {})
    except ValueError as error:
        raise FetchError(f"invalid URL {url!r} ({error}). {NEXT_STEPS}") from None
    stopped_because = "the server closed the connection"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            offset = resume_offset(response, offset, part)
            with open(part, "ab" if offset else "wb") as file, \
                    tqdm(total=expected_size, initial=offset, unit="B", unit_scale=True,
                         unit_divisor=1024, desc=TARBALL_NAME, disable=not progress) as bar:
                while chunk := response.read(CHUNK_BYTES):
                    file.write(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as error:
        if error.code == 416:  # the server's file is shorter than our .part: not the same archive
            part.unlink(missing_ok=True)
            raise FetchError(f"{url} cannot resume {part.name} (HTTP 416), so it was deleted; "
                             f"rerun to download from scratch.") from None
        raise FetchError(f"{url} answered HTTP {error.code} {error.reason}. {NEXT_STEPS}") from None
    except urllib.error.URLError as error:
        raise FetchError(f"cannot reach {url} ({error.reason}); are you offline? {NEXT_STEPS}") from None
    except (OSError, HTTPException) as error:
        stopped_because = str(error) or type(error).__name__
    received = part.stat().st_size if part.exists() else 0
    if received < expected_size:
        raise FetchError(f"download stopped after {received:,} of {expected_size:,} bytes "
                         f"({stopped_because}); rerun to resume from {part}.")


def resume_offset(response: HTTPResponse, requested_offset: int, part: Path) -> int:
    """The byte the response body starts at: requested_offset for a 206 reply, 0 for a full 200 reply."""
    if response.status != 206:
        return 0  # the server ignored our Range header: start over
    content_range = response.headers.get("Content-Range", "")
    match = re.match(r"bytes (\d+)-", content_range)
    if match is None or int(match.group(1)) != requested_offset:
        raise FetchError(f"the server resumed at the wrong byte (Content-Range {content_range!r} "
                         f"for bytes={requested_offset}-); delete {part} and rerun.")
    return requested_offset


def md5_of(path: Path) -> str:
    """Hex MD5 digest of a file, read in chunks."""
    digest = hashlib.md5()
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def verify_or_discard(path: Path, expected_size: int, expected_md5: str) -> None:
    """Check path's size and MD5; on a mismatch delete it (it cannot be resumed) and raise FetchError."""
    size = path.stat().st_size
    if size != expected_size:
        problem = f"is {size:,} bytes, expected {expected_size:,}"
    else:
        actual_md5 = md5_of(path)
        if actual_md5 == expected_md5.lower():
            return
        problem = f"has MD5 {actual_md5}, expected {expected_md5}"
    path.unlink()
    raise FetchError(f"{path.name} {problem}, so it was deleted; rerun to download it again. {NEXT_STEPS}")


def check_member(member: tarfile.TarInfo) -> None:
    """Refuse archive members that could write outside the extraction folder."""
    name = PurePosixPath(member.name)
    if name.is_absolute() or ".." in name.parts:
        raise FetchError(f"unsafe path {member.name!r} in the archive; refusing to extract it.")
    if not (member.isfile() or member.isdir()):
        raise FetchError(f"{member.name!r} in the archive is a link or special file; refusing to extract it.")


def safe_extract(tarball: Path, into: Path) -> None:
    """Extract a .tar.gz into the folder into, after checking every member with check_member."""
    with tarfile.open(tarball, "r:gz") as archive:
        members: List[tarfile.TarInfo] = archive.getmembers()
        for member in members:
            check_member(member)
        archive.extractall(into, members=members, **EXTRACT_OPTIONS)


def extract_atomically(tarball: Path, dest: Path) -> Path:
    """Extract tarball's cifar-10-batches-py/ into dest, renaming it into place only once complete."""
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=dest))
    try:
        try:
            safe_extract(tarball, staging)
        except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
            raise FetchError(f"could not extract {tarball} ({error}); delete it and rerun.") from None
        extracted = staging / DATASET_DIR_NAME
        if not extracted.is_dir():
            raise FetchError(f"{tarball} has no {DATASET_DIR_NAME}/ folder, so it is not the CIFAR-10 "
                             f"python archive; delete it and rerun.")
        dataset_dir = dest / DATASET_DIR_NAME
        os.replace(extracted, dataset_dir)
        return dataset_dir
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch_cifar10(dest: PathLike = DATASETS_DIR, url: str = OFFICIAL_URL, *,
                  expected_size: int = EXPECTED_SIZE, expected_md5: str = EXPECTED_MD5,
                  timeout: float = TIMEOUT_SECONDS, progress: bool = True) -> Path:
    """Make sure dest/cifar-10-batches-py/ exists, downloading and extracting it if needed.

    A cifar-10-python.tar.gz already in dest (copied there by hand, say) is
    verified and used instead of downloading. The archive is deleted once
    extracted. Returns the dataset folder; raises FetchError on any failure.
    """
    dest = Path(dest)
    dataset_dir = dest / DATASET_DIR_NAME
    if dataset_dir.is_dir():
        print(f"CIFAR-10 is already in {dataset_dir}")
        return dataset_dir
    dest.mkdir(parents=True, exist_ok=True)
    tarball = dest / TARBALL_NAME
    if tarball.exists():
        print(f"Using {tarball}")
        verify_or_discard(tarball, expected_size, expected_md5)
    else:
        part = partial_path(tarball)
        print(f"Downloading {url}")
        download(url, part, expected_size, timeout=timeout, progress=progress)
        verify_or_discard(part, expected_size, expected_md5)
        os.replace(part, tarball)
    print(f"Extracting into {dataset_dir}")
    extract_atomically(tarball, dest)
    tarball.unlink()
    print(f"CIFAR-10 is ready in {dataset_dir}")
    return dataset_dir


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    """The command line: where from (--url), where to (--dest), and what to expect (--size, --md5)."""
    parser = argparse.ArgumentParser(
        description="Download and extract CIFAR-10 (python version, about 163 MiB), "
                    "verifying its size and MD5; an interrupted download resumes when rerun.")
    parser.add_argument("--url", default=os.environ.get(URL_ENV_VAR) or OFFICIAL_URL,
                        help=f"where to download {TARBALL_NAME} from, e.g. a mirror "
                             f"(default: ${URL_ENV_VAR} if set, else {OFFICIAL_URL})")
    parser.add_argument("--dest", type=Path, default=DATASETS_DIR,
                        help=f"folder to put {DATASET_DIR_NAME}/ in (default: {DATASETS_DIR})")
    advanced = parser.add_argument_group("advanced", "what the archive must be (default: the official one)")
    advanced.add_argument("--size", type=int, default=EXPECTED_SIZE, help="expected size in bytes")
    advanced.add_argument("--md5", default=EXPECTED_MD5, help="expected MD5 (hex)")
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    """Command-line entry point; returns the exit status (0 on success, 1 on failure, 130 on Ctrl-C)."""
    args = parse_args(argv)
    try:
        fetch_cifar10(args.dest, args.url, expected_size=args.size, expected_md5=args.md5)
    except (FetchError, OSError) as error:
        print(f"get_cifar10: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("get_cifar10: interrupted; rerun to resume the download.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
