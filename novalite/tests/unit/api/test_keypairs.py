"""``/os-keypairs`` at 2.1, 2.2 and 2.10, against Nova's recorded answers.

Expected messages, fingerprints and shapes were taken from a real Nova
(34) API given the same requests.
"""

import base64
import hashlib
import re

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography import x509
import jsonschema
from tempest.lib.api_schema.response.compute.v2_1 import keypairs as v21
from tempest.lib.api_schema.response.compute.v2_2 import keypairs as v22
from tempest.lib.common import jsonschema_validator

from novalite.tests import base

# Nova's API sample key and the fingerprint Nova gives it.
SAMPLE_KEY = (
    'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDx8nkQv/zgGgB4rMYmIf+6A4l6Rr+o/'
    '6lHBQdW5aYd44bd8JttDCE/F/pNRr0lRE+PiqSPO8nDPHw0010JeMH9gYgnnFlyY3/Oc'
    'J02RhIPyyxYpv9FhY+2YiUkpwFOcLImyrxEsYXpD/0d3ac30bNH6Sw9JD9UZHYcpSxsI'
    'bECHw== Generated-by-Nova')
SAMPLE_FINGERPRINT = '1e:2c:9b:56:79:4b:45:77:f9:ca:7a:98:2c:b0:d5:3c'
ED25519_KEY = ('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICXny2KPIKTrDryScKmJOdE'
               'c3DrOE6vzOoKCepcvjVi8')
ED25519_FINGERPRINT = '81:55:cb:11:5b:0f:29:2d:1b:42:49:72:53:22:8a:65'
# A certificate Nova generated (type x509, user kpu1) and its fingerprint.
NOVA_CERT = """-----BEGIN CERTIFICATE-----
MIIDDTCCAfWgAwIBAgIUeTaGAoqrnumEC4062AQwMZm5K/8wDQYJKoZIhvcNAQEL
BQAwDzENMAsGA1UEAwwEa3B1MTAeFw0yNjExMjcxMTMwMDNaFw0zNjExMjQxMTMw
MDNaMA8xDTALBgNVBAMMBGtwdTEwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK
AoIBAQCzdDT/P6Fim+mHBhX0oDCpAy4YPZYfR3KUQXvQ0NVrLUlo9U+TvW7E14Fb
Z38gKR0bmTtJmYWkT3k3LJOHrXtE6OmFPjwwFo7BnCEcdPeQb5oPGrLXqD0dUAJg
KvJc2pLODocxw40hD3NTaCKw3uwUVBaVT1AZQBBxGjBdZCYGxxDbhdFQovIlJCeS
ekXfepFczQEReQBS834cueDovRgLd2PdU0Q0DiaERXJRIHeiFyGr8XPzieJDQUgp
95Pp+jaZUJsseL8yqOYqfFmzGC7APeM9G2xX7Xmuz5Z3XFcRQ04YcGVOGaZ4zqBI
BiGZdWYNQqssMGzFiY7R4ihOSIJ3AgMBAAGjYTBfMBMGA1UdJQQMMAoGCCsGAQUF
BwMCMCkGA1UdEQQiMCCgHgYKKwYBBAGCNxQCA6AQDA5rcHUxQGxvY2FsaG9zdDAd
BgNVHQ4EFgQUbVnMC8uDPBxq2dErRUQzcGC14P4wDQYJKoZIhvcNAQELBQADggEB
ABamGzunVVCUl1/C6cpUYmHEb3d37KtC6Fyq7Ys+B/H6eVU6ubsEBE5OmmkglppZ
RPFFN1ayVs/1kwCY6/sNJEjIjMQopVsez5uuiLk1u4QMs08pMG+QpGnp98xc3lZM
U9aZkD91xvN5bMGaGVW1QHea+JuNOCkKbc1BfRPssBXAijZ9jmgkeZ39eiTOkxYE
ifloEW+cX6FTR1J8YVrfn080agd6zueq/Ps1mK+vGJHs+dFj7B9FUSyEtry/Msvg
PNZzQSW8Nn3FgNTY+WMY2tDm4t5V3WhUEMemD7Q5zbhpEd2bHqawfCxiUiBb51Uy
YsDLoNNKXCxGjYeWjYukx6I=
-----END CERTIFICATE-----
"""
NOVA_CERT_FINGERPRINT = ('5c:ca:cd:d6:24:6b:b2:07:1e:80:c0:50:a2:9a:cc:2f:'
                         '44:e8:a0:37')
NAME_PATTERN = "'^[_\\\\- a-zA-Z0-9]+$'"
INVALID_NAME = ("An invalid 'name' value was provided. The name must be: "
                "printable characters. Can not start or end with "
                "whitespace.")
SHOW_TIME = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$')


def md5_fingerprint(public_key):
    digest = hashlib.md5(base64.b64decode(public_key.split()[1])).hexdigest()
    return ':'.join(re.findall('..', digest))


class KeypairsTestBase(base.APITestCase):

    USE_AGENT = False

    def setUp(self):
        super().setUp()
        self.v22 = self.api.as_user('demo', version='2.2')
        self.v210 = self.api.as_user('demo', version='2.10')
        self.admin210 = self.admin_api.as_user('admin', 'admin',
                                               version='2.10')

    def assertSchema(self, schema, resp):
        self.assertIn(resp.status_int, schema['status_code'])
        if 'response_body' in schema:
            jsonschema.validate(
                resp.json, schema['response_body'],
                cls=jsonschema_validator.JSONSCHEMA_VALIDATOR,
                format_checker=jsonschema_validator.FORMAT_CHECKER)
        else:
            self.assertEqual(b'', resp.body)

    def assertFault(self, resp, code, name, message):
        self.assertEqual(code, resp.status_int, resp.text)
        self.assertEqual({name: {'code': code, 'message': message}},
                         resp.json)

    def create(self, api=None, status=None, **keypair):
        api = api or self.api
        if status is None:
            status = 200 if api.version in (None, '2.1') else 201
        return api.post('os-keypairs', {'keypair': keypair}, status=status)

    def names(self, api=None, query=''):
        resp = (api or self.api).get('os-keypairs' + query, status=200)
        return [item['keypair']['name'] for item in resp.json['keypairs']]


class TestKeypairsV21(KeypairsTestBase):

    def test_generate(self):
        resp = self.create(name='k1')
        self.assertSchema(v21.create_keypair, resp)
        keypair = resp.json['keypair']
        self.assertEqual(['private_key', 'name', 'public_key', 'fingerprint',
                          'user_id'], list(keypair))
        self.assertEqual(('k1', 'demo'), (keypair['name'],
                                          keypair['user_id']))
        self.assertRegex(keypair['public_key'],
                         r'^ssh-rsa AAAA\S+ Generated-by-novalite$')
        self.assertEqual(md5_fingerprint(keypair['public_key']),
                         keypair['fingerprint'])
        self.assertTrue(keypair['private_key'].startswith(
            '-----BEGIN RSA PRIVATE KEY-----\n'))
        # The private key is the public key's.
        private = serialization.load_pem_private_key(
            keypair['private_key'].encode(), None)
        self.assertEqual(2048, private.key_size)
        public = private.public_key().public_bytes(
            serialization.Encoding.OpenSSH,
            serialization.PublicFormat.OpenSSH).decode()
        self.assertEqual(public + ' Generated-by-novalite',
                         keypair['public_key'])
        # Each call makes a new key.
        other = self.create(name='k2').json['keypair']
        self.assertNotEqual(keypair['public_key'], other['public_key'])

    def test_import(self):
        resp = self.create(name='sample', public_key=SAMPLE_KEY)
        self.assertSchema(v21.create_keypair, resp)
        self.assertEqual({'keypair': {
            'name': 'sample', 'public_key': SAMPLE_KEY,
            'fingerprint': SAMPLE_FINGERPRINT, 'user_id': 'demo'}},
            resp.json)

    def test_import_ed25519_and_comments(self):
        # Nova keeps the key text as given and hashes only the blob.
        for name, key in (('ed', ED25519_KEY),
                          ('ed2', ED25519_KEY + ' a comment with spaces'),
                          ('ed3', ED25519_KEY + '\n')):
            keypair = self.create(name=name, public_key=key).json['keypair']
            self.assertEqual((key, ED25519_FINGERPRINT),
                             (keypair['public_key'], keypair['fingerprint']))

    def test_show(self):
        self.create(name='sample', public_key=SAMPLE_KEY)
        resp = self.api.get('os-keypairs/sample', status=200)
        self.assertSchema(v21.get_keypair, resp)
        keypair = resp.json['keypair']
        self.assertEqual(['name', 'public_key', 'fingerprint', 'user_id',
                          'created_at', 'deleted', 'deleted_at', 'id',
                          'updated_at'], list(keypair))
        self.assertRegex(keypair['created_at'], SHOW_TIME)
        self.assertIsInstance(keypair['id'], int)
        self.assertEqual(
            {'name': 'sample', 'public_key': SAMPLE_KEY,
             'fingerprint': SAMPLE_FINGERPRINT, 'user_id': 'demo',
             'deleted': False, 'deleted_at': None, 'updated_at': None},
            {k: v for k, v in keypair.items()
             if k not in ('created_at', 'id')})

    def test_show_name_with_space(self):
        self.create(name='my key', public_key=SAMPLE_KEY)
        resp = self.api.get('os-keypairs/my%20key', status=200)
        self.assertEqual('my key', resp.json['keypair']['name'])

    def test_list(self):
        resp = self.api.get('os-keypairs', status=200)
        self.assertSchema(v21.list_keypairs, resp)
        self.assertEqual({'keypairs': []}, resp.json)
        self.create(name='b', public_key=SAMPLE_KEY)
        self.create(name='a', public_key=ED25519_KEY)
        resp = self.api.get('os-keypairs', status=200)
        self.assertSchema(v21.list_keypairs, resp)
        self.assertEqual({'keypairs': [
            {'keypair': {'name': 'a', 'public_key': ED25519_KEY,
                         'fingerprint': ED25519_FINGERPRINT}},
            {'keypair': {'name': 'b', 'public_key': SAMPLE_KEY,
                         'fingerprint': SAMPLE_FINGERPRINT}}]}, resp.json)

    def test_delete(self):
        self.create(name='k1', public_key=SAMPLE_KEY)
        resp = self.api.delete('os-keypairs/k1', status=202)
        self.assertSchema(v21.delete_keypair, resp)
        self.assertFault(self.api.get('os-keypairs/k1'), 404,
                         'itemNotFound', 'Keypair k1 not found for user demo')
        self.assertFault(self.api.delete('os-keypairs/k1'), 404,
                         'itemNotFound', 'Keypair k1 not found for user demo')
        self.assertEqual([], self.names())
        # The name is free again.
        self.create(name='k1', public_key=ED25519_KEY)
        self.assertEqual(ED25519_KEY, self.api.get(
            'os-keypairs/k1').json['keypair']['public_key'])

    def test_unknown(self):
        for method in ('get', 'delete'):
            self.assertFault(getattr(self.api, method)('os-keypairs/nope'),
                             404, 'itemNotFound',
                             'Keypair nope not found for user demo')
        self.api.post('os-keypairs/nope', {'keypair': {'name': 'x'}},
                      status=404)
        self.api.put('os-keypairs/nope', {'keypair': {'name': 'x'}},
                     status=404)
        self.api.delete('os-keypairs', status=404)

    def test_duplicate(self):
        self.create(name='k1', public_key=SAMPLE_KEY)
        for key in ({}, {'public_key': ED25519_KEY}):
            self.assertFault(self.create(name='k1', status=409, **key), 409,
                             'conflictingRequest',
                             "Key pair 'k1' already exists.")
        self.assertEqual(SAMPLE_KEY, self.api.get(
            'os-keypairs/k1').json['keypair']['public_key'])

    def test_valid_names(self):
        for name in ('-', 'a b', 'My_key-1', 'x' * 255):
            self.create(name=name, public_key=SAMPLE_KEY)
        self.assertEqual(sorted(['-', 'a b', 'My_key-1', 'x' * 255]),
                         sorted(self.names()))

    def test_bad_names(self):
        long_name = 'a' * 256
        cases = [
            ('bad/name', "Invalid input for field/attribute name. Value: "
                         "bad/name. 'bad/name' does not match " +
                         NAME_PATTERN),
            ('key.1', "Invalid input for field/attribute name. Value: "
                      "key.1. 'key.1' does not match " + NAME_PATTERN),
            ('k\u00e9y', "Invalid input for field/attribute name. Value: "
                         "k\u00e9y. 'k\u00e9y' does not match " +
                         NAME_PATTERN),
            ('', "Invalid input for field/attribute name. Value: . '' "
                 "should be non-empty"),
            # A long value is not echoed whole (Nova echoes it twice).
            (long_name, "Invalid input for field/attribute name. Value: "
                        "%s... (256 characters). '%s... (258 characters) "
                        "is too long" % ('a' * 64, 'a' * 63)),
            (5, "Invalid input for field/attribute name. Value: 5. 5 is "
                "not of type 'string'"),
            (' k', INVALID_NAME), ('k ', INVALID_NAME), (' ', INVALID_NAME),
            ('k\ty', INVALID_NAME), ('\u0001', INVALID_NAME),
        ]
        for name, message in cases:
            resp = self.create(name=name, status=400)
            self.assertFault(resp, 400, 'badRequest', message)
        self.assertEqual([], self.names())

    def test_bad_bodies(self):
        cases = [
            ({'keypair': {}}, "Invalid input for field/attribute keypair. "
                              "Value: {}. 'name' is a required property"),
            ({'kp': {}}, "'keypair' is a required property"),
            ([], 'The request body must be a JSON object, not an array.'),
            ('x', 'The request body must be a JSON object, not a string.'),
            ({'keypair': {'name': 'k', 'public_key': 5}},
             "Invalid input for field/attribute public_key. Value: 5. 5 "
             "is not of type 'string'"),
            # type and user_id come with 2.2 and 2.10.
            ({'keypair': {'name': 'k', 'type': 'ssh'}},
             "Invalid input for field/attribute keypair. Value: {'name': "
             "'k', 'type': 'ssh'}. Additional properties are not allowed "
             "('type' was unexpected)"),
            ({'keypair': {'name': 'k', 'user_id': 'demo'}},
             "Invalid input for field/attribute keypair. Value: {'name': "
             "'k', 'user_id': 'demo'}. Additional properties are not "
             "allowed ('user_id' was unexpected)"),
        ]
        for body, message in cases:
            self.assertFault(self.api.post('os-keypairs', body), 400,
                             'badRequest', message)
        self.assertFault(self.api.post('os-keypairs'), 400, 'badRequest',
                         'The request body must be a JSON object, not empty '
                         'or null.')
        resp = self.app.post('/v2.1/os-keypairs', 'xx',
                             headers=self.api.headers(),
                             content_type='application/json',
                             expect_errors=True)
        self.assertFault(resp, 400, 'badRequest', 'Malformed request body')
        self.assertEqual([], self.names())

    def test_bad_public_keys(self):
        for key in ('ssh-rsa bad', 'not a key', '', '  ' + SAMPLE_KEY,
                    'ssh-rsa', SAMPLE_KEY[:60], NOVA_CERT):
            self.assertFault(
                self.create(name='k', public_key=key, status=400), 400,
                'badRequest',
                'Keypair data is invalid: failed to generate fingerprint')
        self.assertEqual([], self.names())

    def test_per_user(self):
        self.create(name='k1', public_key=SAMPLE_KEY)
        bob = self.api.as_user('bob', 'proj2')
        self.assertEqual([], self.names(bob))
        self.assertFault(bob.get('os-keypairs/k1'), 404, 'itemNotFound',
                         'Keypair k1 not found for user bob')
        self.assertFault(bob.delete('os-keypairs/k1'), 404, 'itemNotFound',
                         'Keypair k1 not found for user bob')
        # Below 2.10 ?user_id= is ignored, even for an admin.
        self.assertEqual([], self.names(bob, '?user_id=demo'))
        self.assertEqual([], self.names(self.admin_api, '?user_id=demo'))
        bob.get('os-keypairs/k1?user_id=demo', status=404)
        bob.delete('os-keypairs/k1?user_id=demo', status=404)
        # The same name for another user is another key pair.
        self.create(bob, name='k1', public_key=ED25519_KEY)
        self.assertEqual(SAMPLE_KEY, self.api.get(
            'os-keypairs/k1').json['keypair']['public_key'])
        # Key pairs follow the user into any project.
        elsewhere = self.api.as_user('demo', 'proj3')
        self.assertEqual(['k1'], self.names(elsewhere))
        self.assertEqual(SAMPLE_KEY, elsewhere.get(
            'os-keypairs/k1').json['keypair']['public_key'])

    def test_project_id_in_url(self):
        api = self.api.as_user('demo', 'abc123')
        api.post('/v2.1/abc123/os-keypairs',
                 {'keypair': {'name': 'k1', 'public_key': SAMPLE_KEY}},
                 status=200)
        self.assertEqual(1, len(api.get('/v2.1/abc123/os-keypairs',
                                        status=200).json['keypairs']))
        api.delete('/v2.1/abc123/os-keypairs/k1', status=202)


class TestKeypairsPaging(KeypairsTestBase):
    """2.35: ``limit`` and ``marker`` (a name), pages by name."""

    def test_pages(self):
        for name in ('c', 'a', 'd', 'b'):
            self.create(name=name)
        api = self.api.as_user('demo', version='2.35')
        # (tempest has no schema of the links: the rest is 2.2's.)
        self.assertSchema(v22.list_keypairs, api.get('os-keypairs'))
        resp = api.get('os-keypairs?limit=2', status=200)
        self.assertEqual(['a', 'b'], [k['keypair']['name']
                                      for k in resp.json['keypairs']])
        [link] = resp.json['keypairs_links']
        self.assertEqual('next', link['rel'])
        self.assertTrue(link['href'].endswith(
            '/v2.1/os-keypairs?limit=2&marker=b'), link['href'])
        self.assertEqual(['c', 'd'], self.names(api, '?limit=2&marker=b'))
        self.assertEqual(['d'], self.names(api, '?marker=c'))
        resp = api.get('os-keypairs?marker=zz', status=400)
        self.assertFault(resp, 400, 'badRequest',
                         'Marker zz could not be found.')
        api.get('os-keypairs?limit=-1', status=400)
        # Another user's names are no markers.
        self.create(api=self.api.as_user('other'), name='e')
        api.get('os-keypairs?marker=e', status=400)
        # Before 2.35 the parameters are ignored.
        self.assertEqual(['a', 'b', 'c', 'd'],
                         self.names(self.v210, '?limit=1&marker=zz'))


class TestKeypairsQuota(KeypairsTestBase):

    def test_quota(self):
        self.flags(key_pairs=2, group='quota')
        self.create(name='k1')
        self.create(name='k2', public_key=SAMPLE_KEY)
        for key in ({}, {'public_key': SAMPLE_KEY},
                    # Nova checks the quota before the key.
                    {'public_key': 'ssh-rsa bad'}):
            self.assertFault(self.create(name='k3', status=403, **key), 403,
                             'forbidden', 'Quota exceeded, too many key '
                                          'pairs.')
        self.assertFault(
            self.create(self.v22, name='k3', type='x509', public_key='bad',
                        status=403),
            403, 'forbidden', 'Quota exceeded, too many key pairs.')
        # A duplicate over quota is a quota error too (quota first).
        self.create(name='k1', status=403)
        self.assertEqual(['k1', 'k2'], self.names())
        # The quota is per user.
        self.create(self.api.as_user('bob', 'demo'), name='k3')
        # Deleting frees room.
        self.api.delete('os-keypairs/k1', status=202)
        self.create(name='k3', public_key=SAMPLE_KEY)

    def test_zero_and_unlimited(self):
        self.flags(key_pairs=0, group='quota')
        self.create(name='k1', public_key=SAMPLE_KEY, status=403)
        self.flags(key_pairs=-1, group='quota')
        for i in range(3):
            self.create(name='k%d' % i, public_key=SAMPLE_KEY)
        self.assertEqual(3, len(self.names()))


class TestKeypairsV22(KeypairsTestBase):

    def test_create_types(self):
        resp = self.create(self.v22, name='k1')
        self.assertSchema(v22.create_keypair, resp)
        keypair = resp.json['keypair']
        self.assertEqual(['private_key', 'type', 'name', 'public_key',
                          'fingerprint', 'user_id'], list(keypair))
        self.assertEqual('ssh', keypair['type'])
        self.assertEqual(md5_fingerprint(keypair['public_key']),
                         keypair['fingerprint'])
        resp = self.create(self.v22, name='k2', type='ssh',
                           public_key=SAMPLE_KEY)
        self.assertSchema(v22.create_keypair, resp)
        self.assertEqual({'keypair': {
            'type': 'ssh', 'name': 'k2', 'public_key': SAMPLE_KEY,
            'fingerprint': SAMPLE_FINGERPRINT, 'user_id': 'demo'}},
            resp.json)

    def test_list_show_delete(self):
        self.create(self.v22, name='k1', public_key=SAMPLE_KEY)
        resp = self.v22.get('os-keypairs', status=200)
        self.assertSchema(v22.list_keypairs, resp)
        self.assertEqual({'keypairs': [{'keypair': {
            'name': 'k1', 'public_key': SAMPLE_KEY,
            'fingerprint': SAMPLE_FINGERPRINT, 'type': 'ssh'}}]}, resp.json)
        resp = self.v22.get('os-keypairs/k1', status=200)
        self.assertSchema(v22.get_keypair, resp)
        self.assertEqual('ssh', resp.json['keypair']['type'])
        self.assertEqual('name', list(resp.json['keypair'])[0])
        self.assertEqual('type', list(resp.json['keypair'])[-1])
        # 2.1 does not show the type.
        self.assertNotIn('type', self.api.get(
            'os-keypairs/k1').json['keypair'])
        resp = self.v22.delete('os-keypairs/k1', status=204)
        self.assertSchema(v22.delete_keypair, resp)
        self.v22.delete('os-keypairs/k1', status=404)

    def test_x509_generate(self):
        resp = self.create(self.v22, name='x1', type='x509')
        self.assertSchema(v22.create_keypair, resp)
        keypair = resp.json['keypair']
        self.assertEqual('x509', keypair['type'])
        cert = x509.load_pem_x509_certificate(keypair['public_key'].encode())
        self.assertEqual('CN=demo', cert.subject.rfc4514_string())
        self.assertEqual(cert.subject, cert.issuer)
        self.assertEqual(':'.join(re.findall(
            '..', cert.fingerprint(hashes.SHA1()).hex())),
            keypair['fingerprint'])
        # The private key is a password-less PKCS#12 bundle of key and
        # certificate.
        key, bundled, _ = pkcs12.load_key_and_certificates(
            base64.b64decode(keypair['private_key']), None)
        self.assertEqual(cert, bundled)
        self.assertEqual(
            cert.public_key().public_numbers(),
            key.public_key().public_numbers())
        show = self.v22.get('os-keypairs/x1', status=200).json['keypair']
        self.assertEqual(('x509', keypair['public_key']),
                         (show['type'], show['public_key']))

    def test_x509_extensions_as_nova(self):
        # The same user as Nova's certificate.
        kpu1 = self.api.as_user('kpu1', 'demo', version='2.2')
        keypair = self.create(kpu1, name='x1', type='x509').json['keypair']
        ours = x509.load_pem_x509_certificate(keypair['public_key'].encode())
        nova = x509.load_pem_x509_certificate(NOVA_CERT.encode())
        for ext in (x509.ExtendedKeyUsage, x509.SubjectAlternativeName):
            self.assertEqual(nova.extensions.get_extension_for_class(ext),
                             ours.extensions.get_extension_for_class(ext))
        self.assertEqual(nova.subject, ours.subject)

    def test_x509_import(self):
        resp = self.create(self.v22, name='x1', type='x509',
                           public_key=NOVA_CERT)
        self.assertSchema(v22.create_keypair, resp)
        self.assertEqual({'keypair': {
            'type': 'x509', 'name': 'x1', 'public_key': NOVA_CERT,
            'fingerprint': NOVA_CERT_FINGERPRINT, 'user_id': 'demo'}},
            resp.json)

    def test_x509_bad_certificate(self):
        prefix = ('Keypair data is invalid: failed to generate X509 '
                  'fingerprint. Error message: ')
        for key, error in (
                (SAMPLE_KEY, 'Unable to load PEM file. See https://'
                             'cryptography.io/en/latest/faq/#why-can-t-i-'
                             'import-my-pem-file for more details. '
                             'MalformedFraming'),
                ('-----BEGIN CERTIFICATE-----\nMIIB\n'
                 '-----END CERTIFICATE-----\n',
                 'error parsing asn1 value: ParseError { kind: ShortData '
                 '{ needed: 1 } }')):
            resp = self.create(self.v22, name='x1', type='x509',
                               public_key=key, status=400)
            self.assertFault(resp, 400, 'badRequest', prefix + error)

    def test_x509_generate_user_id_not_a_common_name(self):
        # Found by test_fuzz: a user id of more than 64 characters (or
        # none) cannot be the certificate's common name (a 500).
        for user in ('u' * 65, ''):
            api = self.api.as_user(user, 'demo', version='2.2')
            resp = self.create(api, name='x1', type='x509', status=400)
            self.assertFault(resp, 400, 'badRequest',
                             "Keypair data is invalid: the user id cannot "
                             "be the certificate's common name (1 to 64 "
                             "characters)")
            self.assertEqual([], self.names(api))
        self.create(self.api.as_user('u' * 64, 'demo', version='2.2'),
                    name='x1', type='x509')

    def test_bad_type(self):
        self.assertFault(
            self.create(self.v22, name='k1', type='rsa', status=400), 400,
            'badRequest', "Invalid input for field/attribute type. Value: "
                          "rsa. 'rsa' is not one of ['ssh', 'x509']")
        self.assertFault(
            self.create(self.v22, name='k1', user_id='demo', status=400),
            400, 'badRequest',
            "Invalid input for field/attribute keypair. Value: {'name': "
            "'k1', 'user_id': 'demo'}. Additional properties are not "
            "allowed ('user_id' was unexpected)")


class TestKeypairsV210(KeypairsTestBase):

    def test_admin_for_another_user(self):
        resp = self.create(self.admin210, name='k1', user_id='bob',
                           public_key=SAMPLE_KEY)
        self.assertSchema(v22.create_keypair, resp)
        self.assertEqual('bob', resp.json['keypair']['user_id'])
        bob = self.api.as_user('bob', 'proj2', version='2.10')
        self.assertEqual(['k1'], self.names(bob))
        self.assertEqual([], self.names(self.admin210))
        self.assertEqual(['k1'], self.names(self.admin210, '?user_id=bob'))
        # The first value counts, as in Nova.
        self.assertEqual(['k1'], self.names(
            self.admin210, '?user_id=bob&user_id=admin'))
        resp = self.admin210.get('os-keypairs/k1?user_id=bob', status=200)
        self.assertSchema(v22.get_keypair, resp)
        self.assertEqual('bob', resp.json['keypair']['user_id'])
        self.admin210.get('os-keypairs/k1', status=404)
        self.admin210.delete('os-keypairs/k1?user_id=bob', status=204)
        self.assertEqual([], self.names(bob))

    def test_generate_for_another_user(self):
        keypair = self.create(self.admin210, name='k1', user_id='bob',
                              type='x509').json['keypair']
        self.assertEqual('bob', keypair['user_id'])
        cert = x509.load_pem_x509_certificate(keypair['public_key'].encode())
        self.assertEqual('CN=bob', cert.subject.rfc4514_string())

    def test_own_user_id(self):
        resp = self.create(self.v210, name='k1', user_id='demo',
                           public_key=SAMPLE_KEY)
        self.assertEqual('demo', resp.json['keypair']['user_id'])
        self.assertEqual(['k1'], self.names(self.v210, '?user_id=demo'))
        self.v210.get('os-keypairs/k1?user_id=demo', status=200)
        # An empty user_id means oneself.
        self.create(self.v210, name='k2', user_id='', public_key=SAMPLE_KEY)
        self.assertEqual(['k1', 'k2'], self.names(self.v210, '?user_id='))
        self.v210.delete('os-keypairs/k1?user_id=demo', status=204)

    def test_policy_other_user(self):
        self.create(self.admin210, name='k1', user_id='bob',
                    public_key=SAMPLE_KEY)
        message = "Policy doesn't allow os_compute_api:os-keypairs:%s to " \
                  "be performed."
        self.assertFault(
            self.create(self.v210, name='k2', user_id='bob', status=403),
            403, 'forbidden', message % 'create')
        self.assertFault(self.v210.get('os-keypairs?user_id=bob'), 403,
                         'forbidden', message % 'index')
        # The policy is checked before the key pair is looked up.
        for name in ('k1', 'nope'):
            self.assertFault(
                self.v210.get('os-keypairs/%s?user_id=bob' % name), 403,
                'forbidden', message % 'show')
            self.assertFault(
                self.v210.delete('os-keypairs/%s?user_id=bob' % name), 403,
                'forbidden', message % 'delete')
        bob = self.api.as_user('bob', 'proj2', version='2.10')
        self.assertEqual(['k1'], self.names(bob))


class TestKeypairsV292(KeypairsTestBase):
    """2.92: only imported keys (no private key is ever made), and '@'
    and '.' in names."""

    def test_import_only_and_names(self):
        v292 = self.api.as_user('demo', version='2.92')
        resp = self.create(v292, name='k1', status=400)
        self.assertFault(resp, 400, 'badRequest',
                         "Invalid input for field/attribute keypair. Value: "
                         "{'name': 'k1'}. 'public_key' is a required "
                         "property")
        resp = self.create(v292, name='me@host.example',
                           public_key=SAMPLE_KEY)
        self.assertSchema(v22.create_keypair, resp)
        self.assertNotIn('private_key', resp.json['keypair'])
        self.assertEqual('me@host.example', resp.json['keypair']['name'])
        # Read and deleted by that name.
        self.assertEqual('me@host.example', v292.get(
            'os-keypairs/me@host.example', status=200).json[
            'keypair']['name'])
        self.assertEqual(['me@host.example'], self.names(v292))
        v292.delete('os-keypairs/me@host.example', status=204)
        for name in ('a/b', 'a:b', ' a', 'x' * 256, ''):
            self.create(v292, name=name, public_key=SAMPLE_KEY, status=400)
        # Before 2.92 neither '@' nor '.'; a key is still made.
        self.create(self.v210, name='a.b', public_key=SAMPLE_KEY,
                    status=400)
        self.assertIn('private_key', self.create(
            self.v210, name='made').json['keypair'])
