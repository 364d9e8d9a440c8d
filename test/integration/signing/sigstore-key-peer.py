#!/usr/bin/python3
"""An independent reader and writer of sigstore's encrypted private key files (go-securesystemslib's
"encrypted" JSON: scrypt, then NaCl secretbox), on libsodium (PyNaCl) and Python's hashlib, for
the tests: Debian's skopeo is built with sigstore disabled, so it cannot be the peer here.

  sigstore-key-peer.py decrypt KEY.private PASSFILE   -> PKCS#8 DER on stdout
  sigstore-key-peer.py encrypt KEY.pkcs8.der PASSFILE -> the encrypted PEM on stdout
"""
import base64, hashlib, json, os, sys
import nacl.secret

PEM = "ENCRYPTED SIGSTORE PRIVATE KEY"


def passphrase(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n", 1)[0]


def derive(pw, salt, n, r, p):
    return hashlib.scrypt(pw, salt=salt, n=n, r=r, p=p, dklen=32, maxmem=256 * 1024 * 1024)


def decrypt(key_file, pass_file):
    text = open(key_file).read()
    body = text.split(f"-----BEGIN {PEM}-----")[1].split(f"-----END {PEM}-----")[0]
    doc = json.loads(base64.b64decode("".join(body.split())))
    assert doc["kdf"]["name"] == "scrypt" and doc["cipher"]["name"] == "nacl/secretbox", doc
    prm = doc["kdf"]["params"]
    key = derive(passphrase(pass_file), base64.b64decode(doc["kdf"]["salt"]), prm["N"], prm["r"], prm["p"])
    plain = nacl.secret.SecretBox(key).decrypt(base64.b64decode(doc["ciphertext"]), base64.b64decode(doc["cipher"]["nonce"]))
    sys.stdout.buffer.write(plain)


def encrypt(der_file, pass_file):
    salt, nonce = os.urandom(32), os.urandom(24)
    key = derive(passphrase(pass_file), salt, 32768, 8, 1)
    box = nacl.secret.SecretBox(key).encrypt(open(der_file, "rb").read(), nonce).ciphertext
    doc = {
        "kdf": {"name": "scrypt", "params": {"N": 32768, "r": 8, "p": 1}, "salt": base64.b64encode(salt).decode()},
        "cipher": {"name": "nacl/secretbox", "nonce": base64.b64encode(nonce).decode()},
        "ciphertext": base64.b64encode(box).decode(),
    }
    b64 = base64.b64encode(json.dumps(doc).encode()).decode()
    lines = [b64[i : i + 64] for i in range(0, len(b64), 64)]
    sys.stdout.write(f"-----BEGIN {PEM}-----\n" + "\n".join(lines) + f"\n-----END {PEM}-----\n")


if __name__ == "__main__":
    {"decrypt": decrypt, "encrypt": encrypt}[sys.argv[1]](sys.argv[2], sys.argv[3])
