"""Signed passports: `jws` signs them and writes the DID document, `keys` reads and makes the
key, `status` says whether the key changed without reading it, `verify` checks a built site.
Only `status` is imported without `cryptography`: a build with nothing to sign never loads it."""
