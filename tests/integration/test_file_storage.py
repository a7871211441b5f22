"""File storage on a local folder and on S3 (a local moto server speaking the S3 protocol)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from video_orchestrator.errors import NotFoundError, StorageError
from video_orchestrator.store import FileStorage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is a dev dependency")
    pytest.importorskip("s3fs", reason="s3fs is a dev dependency")
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> FileStorage:
    if request.param == "local":
        return FileStorage(tmp_path / "files", cache_dir=tmp_path / "cache")
    endpoint = request.getfixturevalue("s3_endpoint")
    import boto3

    bucket = f"vo-{tmp_path.name.lower().replace('_', '-')[-40:]}"
    options = {
        "endpoint_url": endpoint,
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
        "region_name": "us-east-1",
    }
    boto3.client("s3", **options).create_bucket(Bucket=bucket)
    return FileStorage(
        f"s3://{bucket}/media",
        cache_dir=tmp_path / "cache",
        key="test",
        secret="test",
        client_kwargs={"endpoint_url": endpoint, "region_name": "us-east-1"},
    )


def test_put_read_range_and_delete(storage: FileStorage, tmp_path: Path) -> None:
    source = tmp_path / "clip.bin"
    data = bytes(range(256)) * 1000
    source.write_bytes(data)
    storage.put_file(source, "assets/abc.bin")
    assert storage.exists("assets/abc.bin")
    assert storage.size("assets/abc.bin") == len(data)
    assert b"".join(storage.iter_bytes("assets/abc.bin", 100, 199)) == data[100:200]
    local = storage.local_path("assets/abc.bin")
    assert local.read_bytes() == data
    storage.ping()
    storage.delete("assets/abc.bin")
    assert not storage.exists("assets/abc.bin")
    with pytest.raises(NotFoundError):
        storage.local_path("assets/abc.bin")


@pytest.mark.parametrize("key", ["../x", "/etc/passwd", "a/../../b", "a b", "", ".hidden"])
def test_keys_from_outside_are_refused(storage: FileStorage, key: str) -> None:
    with pytest.raises(StorageError):
        storage.exists(key)
