"""Key pairs: generation, fingerprints and X.509 certificates, as Nova's
``nova/crypto.py`` makes them (the API's key pair routes use these)."""

import base64
import binascii
import datetime
import hashlib

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography import x509
from cryptography.x509 import oid

from novalite import exception

# Microsoft's User Principal Name, in the certificate's subjectAltName.
_UPN_OID = x509.ObjectIdentifier('1.3.6.1.4.1.311.20.2.3')


def _hex_pairs(digest):
    return ':'.join(digest[i:i + 2] for i in range(0, len(digest), 2))


def ssh_fingerprint(public_key):
    """MD5 of the key blob, as Nova computes it."""
    try:
        serialization.load_ssh_public_key(public_key.encode('utf-8'))
        blob = base64.b64decode(public_key.split(' ')[1])
    except Exception:
        raise exception.InvalidKeypair(reason='failed to generate fingerprint')
    return _hex_pairs(hashlib.md5(blob, usedforsecurity=False).hexdigest())


def x509_fingerprint(pem):
    try:
        cert = x509.load_pem_x509_certificate(pem.encode('utf-8'))
    except (ValueError, TypeError, binascii.Error) as e:
        raise exception.InvalidKeypair(
            reason='failed to generate X509 fingerprint. Error message: %s'
                   % e)
    return _hex_pairs(cert.fingerprint(hashes.SHA1()).hex())


def _private_pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()).decode('ascii')


def generate_ssh_key():
    """(private key PEM, public key, fingerprint) of a new RSA key."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_key = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH,
        serialization.PublicFormat.OpenSSH).decode('ascii')
    public_key += ' Generated-by-novalite'
    return _private_pem(key), public_key, ssh_fingerprint(public_key)


def _der_utf8(text):
    data = text.encode('utf-8')
    size = len(data)
    if size < 0x80:
        length = bytes([size])
    else:
        raw = size.to_bytes((size.bit_length() + 7) // 8, 'big')
        length = bytes([0x80 | len(raw)]) + raw
    return b'\x0c' + length + data


def generate_x509_cert(user_id):
    """Nova's WinRM client certificate for ``user_id``.

    Returns (base64 PKCS#12 of key and certificate, certificate PEM,
    fingerprint).
    """
    try:
        name = x509.Name([x509.NameAttribute(oid.NameOID.COMMON_NAME,
                                             user_id)])
    except ValueError:
        # NOTE: X.509 bounds a common name to 64 characters (ub-common-
        # name); a longer or empty user id was a 500.
        raise exception.InvalidKeypair(
            reason="the user id cannot be the certificate's common name "
                   "(1 to 64 characters)")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = x509.CertificateBuilder(
        issuer_name=name, subject_name=name, public_key=key.public_key(),
        serial_number=x509.random_serial_number(), not_valid_before=now,
        not_valid_after=now + datetime.timedelta(days=3650))
    for extension in (
            x509.ExtendedKeyUsage([oid.ExtendedKeyUsageOID.CLIENT_AUTH]),
            x509.SubjectAlternativeName([x509.OtherName(
                _UPN_OID, _der_utf8('%s@localhost' % user_id))]),
            x509.SubjectKeyIdentifier.from_public_key(key.public_key())):
        builder = builder.add_extension(extension, critical=False)
    cert = builder.sign(key, hashes.SHA256())
    certificate = cert.public_bytes(
        serialization.Encoding.PEM).decode('ascii')
    bundle = pkcs12.serialize_key_and_certificates(
        None, key, cert, None, serialization.NoEncryption())
    return (base64.b64encode(bundle).decode('ascii'), certificate,
            x509_fingerprint(certificate))
