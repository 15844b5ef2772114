"""TLS failures are TLSErrors that name their cause and never claim a request was sent.

A real TLS server on loopback (``_raw.RawServer`` with a self-signed certificate made here), and a
plain-HTTP LocalBackend spoken to over https.
"""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from synapse import Project
from synapse.errors import ResponseIncompleteError, TLSError
from synapse.testing import LocalBackend
from synapse.transport.session import Session

from ._common import FAST, TOKEN
from ._raw import Exchange, RawServer


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key), as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "synapse test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def _created(exchange: Exchange) -> None:
    exchange.answer("201 Created", b'{"id": 7, "name": "p"}', {"Content-Type": "application/json"})


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[RawServer]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with RawServer(_created, tls=context) as server:
        yield server


def _assert_never_sent(error: TLSError) -> None:
    text = "".join(traceback.format_exception(error))
    assert not isinstance(error, ResponseIncompleteError)
    assert "may have" not in str(error) and "nothing was sent" in str(error)
    assert TOKEN not in text


def test_self_signed_certificate_is_a_tls_error_with_its_cause(tls_server: RawServer) -> None:
    session = Session(tls_server.url, api_token=TOKEN, **{**FAST, "max_retries": 3})
    with pytest.raises(TLSError, match=r"certificate verify failed: self.signed certificate") as caught:
        Project.create(name="p", session=session)
    _assert_never_sent(caught.value)
    assert isinstance(caught.value.__cause__, ssl.SSLCertVerificationError)
    assert caught.value.__cause__.__context__ is None
    assert tls_server.heads == []  # the server never saw the request
    assert session.request_count == 1  # a certificate does not get better by asking again


def test_the_same_server_is_used_once_its_certificate_is_trusted(
    tls_server: RawServer, certificate: tuple[Path, Path]
) -> None:
    session = Session(tls_server.url, api_token=TOKEN, verify=str(certificate[0]), **FAST)
    assert Project.create(name="p", session=session).id == 7
    assert len(tls_server.heads) == 1


def test_plain_http_server_spoken_to_over_https_is_a_tls_error(backend: LocalBackend) -> None:
    url = backend.url.replace("http://", "https://")
    session = Session(url, api_token=TOKEN, **{**FAST, "max_retries": 3})
    with pytest.raises(TLSError, match="plain HTTP") as caught:
        Project.create(name="p", session=session)
    _assert_never_sent(caught.value)
    assert isinstance(caught.value.__cause__, ssl.SSLError)
    assert backend.count("projects") == 0
    assert session.request_count == 1
