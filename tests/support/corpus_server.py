#!/usr/bin/env python3
"""Local servers for Candor's scanner tests, built from a JSON configuration.

  corpus_server.py certs DIR
      Writes a test CA (ca.pem) and certificates signed by it into DIR:
      good (localhost, 127.0.0.1, valid), expired, expiring soon, self-signed, and
      wrongname (valid, but only for other.example).

  corpus_server.py serve CONFIG.json
      Starts one HTTPS server (and, if asked, a plain-HTTP one) on 127.0.0.1 and
      prints {"https": PORT, "http": PORT} on stdout. CONFIG:
        {"cert": "...pem", "key": "...pem",
         "tls_min": "1.2", "tls_max": "1.3",          (optional)
         "headers": [["Name", "value"], ...],          (every HTTPS response)
         "files": {"/path": {"body": "...", "content_type": "...",
                             "status": 200, "headers": [["Name", "value"]]}},
         "options_headers": [["Name", "value"]],      (answers to OPTIONS; "{origin}"
                                                        is the request's Origin)
         "dir": "/path",                               (optional: files read per request)
         "http": {"redirect": "https://...",           (optional plain HTTP; absent:
                  "redirects": {"/path": "URL"}}        no HTTP listener; {} : 200)
        "{https}" and "{http}" in URLs are the servers' ports.
        }
      Serves until killed or stdin closes.
"""
import datetime
import json
import os
import socket
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def make_certs(directory):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    import ipaddress

    os.makedirs(directory, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def write(stem, cert, key):
        with open(os.path.join(directory, stem + ".pem"), "wb") as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(os.path.join(directory, stem + ".key"), "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("Candor test CA")).issuer_name(name("Candor test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    write("ca", ca, ca_key)

    def leaf(stem, not_before, not_after, issuer_cert, issuer_key, self_signed=False,
             names=("localhost", "*.candor.test", "127.0.0.1")):
        key = ec.generate_private_key(ec.SECP256R1())
        builder = (x509.CertificateBuilder().subject_name(name("localhost"))
                   .issuer_name(name("localhost") if self_signed else issuer_cert.subject)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(not_before).not_valid_after(not_after)
                   .add_extension(x509.SubjectAlternativeName([
                       x509.IPAddress(ipaddress.ip_address(n)) if n[0].isdigit() else x509.DNSName(n)
                       for n in names]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False))
        if not self_signed:
            builder = builder.add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        cert = builder.sign(key if self_signed else issuer_key, hashes.SHA256())
        write(stem, cert, key)

    leaf("good", now - datetime.timedelta(days=1), now + datetime.timedelta(days=90), ca, ca_key)
    leaf("soon", now - datetime.timedelta(days=60), now + datetime.timedelta(days=10), ca, ca_key)
    leaf("expired", now - datetime.timedelta(days=90), now - datetime.timedelta(days=1), ca, ca_key)
    leaf("selfsigned", now - datetime.timedelta(days=1), now + datetime.timedelta(days=90), None, None, True)
    leaf("wrongname", now - datetime.timedelta(days=1), now + datetime.timedelta(days=90), ca, ca_key,
         names=("other.example",))


VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
            "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


def serve(config_path):
    with open(config_path) as f:
        config = json.load(f)
    headers = config.get("headers", [])
    files = config.get("files", {})

    class Https(BaseHTTPRequestHandler):
        def do_GET(self):
            entry = files.get(self.path.split("?")[0])
            served_dir = config.get("dir")
            if entry is None and served_dir:
                # Files written while the server runs (a host-ownership token).
                local = os.path.join(served_dir, self.path.split("?")[0].lstrip("/"))
                if os.path.isfile(local):
                    with open(local) as f:
                        entry = {"body": f.read(), "content_type": "text/plain; charset=utf-8"}
            if entry is None and self.path.split("?")[0] not in ("/", "/index.html"):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                for k, v in headers:
                    self.send_header(k, fill(v))
                self.end_headers()
                return
            body = (entry or {}).get("body", "<!doctype html><title>corpus</title><p>ok").encode()
            self.send_response((entry or {}).get("status", 200))
            self.send_header("Content-Type", (entry or {}).get("content_type", "text/html; charset=utf-8"))
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers + (entry or {}).get("headers", []):
                self.send_header(k, fill(v))
            self.end_headers()
            self.wfile.write(body)

        def do_OPTIONS(self):
            self.send_response(204)
            for k, v in headers + config.get("options_headers", []):
                self.send_header(k, fill(v).replace("{origin}", self.headers.get("Origin", "")))
            self.end_headers()

        def log_message(self, *args):
            pass

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(config["cert"], config["key"])
    if "tls_min" in config:
        if config["tls_min"] in ("1.0", "1.1"):
            # Debian's OpenSSL refuses old protocols at its default security level.
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.minimum_version = VERSIONS[config["tls_min"]]
    if "tls_max" in config:
        ctx.maximum_version = VERSIONS[config["tls_max"]]
    https = ThreadingHTTPServer(("127.0.0.1", 0), Https)
    https.socket = ctx.wrap_socket(https.socket, server_side=True)
    ports = {"https": https.server_address[1], "http": None}

    def fill(value):
        return value.replace("{https}", str(ports["https"])).replace("{http}", str(ports["http"]))

    threading.Thread(target=https.serve_forever, daemon=True).start()

    if "http" in config:
        redirects = config["http"].get("redirects", {})

        class Http(BaseHTTPRequestHandler):
            def do_GET(self):
                redirect = redirects.get(self.path.split("?")[0], config["http"].get("redirect"))
                if redirect:
                    self.send_response(301)
                    self.send_header("Location", fill(redirect))
                    self.end_headers()
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"plain http")

            def log_message(self, *args):
                pass

        http = ThreadingHTTPServer(("127.0.0.1", 0), Http)
        ports["http"] = http.server_address[1]
        threading.Thread(target=http.serve_forever, daemon=True).start()

    print(json.dumps(ports), flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    if sys.argv[1] == "certs":
        make_certs(sys.argv[2])
    elif sys.argv[1] == "serve":
        serve(sys.argv[2])
    else:
        sys.exit(__doc__)
