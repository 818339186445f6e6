"""TLS through the Python face: the core verifies the certificate; ca_file
(argument or SIGNALWIRE_REST_CA_FILE) is passed through unchanged."""

from __future__ import annotations

import os
import subprocess
from typing import Iterator, Tuple

import pytest

import swng
from spaceclient import Space, start_space

GROUP = "41148420-0549-49cf-924c-e4a320c8c1e9"
PHONES = ["0cc9aa06-4e1e-47b0-b276-0fa31c147608", "ead2f00b-5111-4a4e-9c61-05ecf273d1f7",
          "6e30f326-b8a3-45cd-9e7a-bf0ee9173253"]


@pytest.fixture(scope="module")
def tls_space(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Space, str]]:
    """An HTTPS space with a fresh self-signed certificate for 127.0.0.1."""
    d = tmp_path_factory.mktemp("certs")
    cert, key = str(d / "space.pem"), str(d / "space.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=swng-test", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    with start_space(tls_cert=cert, tls_key=key) as space:
        yield space, cert


def make_client(space: Space, **kw: object) -> swng.Client:
    return swng.Client(project_id=space.project_id, token=space.token,
                       base_url=space.base_url, **kw)  # type: ignore[arg-type]


def test_verified_with_ca_file(tls_space: Tuple[Space, str]) -> None:
    space, cert = tls_space
    assert space.base_url.startswith("https://")
    with make_client(space, ca_file=cert) as c:
        m = c.create_membership(GROUP, PHONES[0])
    assert m.phone_number.id == PHONES[0]


def test_ca_file_from_environment(tls_space: Tuple[Space, str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    space, cert = tls_space
    monkeypatch.setenv("SIGNALWIRE_REST_CA_FILE", cert)
    with make_client(space) as c:
        assert c.create_membership(GROUP, PHONES[1]).phone_number.id == PHONES[1]


def test_untrusted_certificate_is_a_transport_error(tls_space: Tuple[Space, str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    space, _ = tls_space
    monkeypatch.delenv("SIGNALWIRE_REST_CA_FILE", raising=False)
    space.clear_journal()
    with make_client(space) as c, pytest.raises(swng.TransportError) as info:
        c.create_membership(GROUP, PHONES[2])
    assert info.value.code == "transport"
    assert "certificate" in info.value.message
    assert info.value.http_status is None
    assert space.journal() == []          # refused before any HTTP was sent


def test_unreadable_ca_file_is_invalid_argument(tls_space: Tuple[Space, str]) -> None:
    space, cert = tls_space
    with pytest.raises(swng.InvalidArgument) as info:
        make_client(space, ca_file=os.path.join(os.path.dirname(cert), "missing.pem"))
    assert "ca_file" in info.value.message
