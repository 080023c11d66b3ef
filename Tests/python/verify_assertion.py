"""Verifies an authkit-fcgi identity assertion with PyJWT, independently of authkit-fcgi's code.

Usage: verify_assertion.py JWKS_URL TOKEN AUDIENCE ISSUER HOST PATH
Fetches the JWKS (PyJWKClient picks the key by kid), checks the signature, alg, aud, iss, exp,
iat and nbf, then host and path. Prints the claims as JSON and exits 0, or prints why and exits 1.
"""
import json
import sys

import jwt


def main() -> int:
    jwks_url, token, audience, issuer, host, path = sys.argv[1:7]
    try:
        key = jwt.PyJWKClient(jwks_url, cache_keys=False).get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token, key.key, algorithms=["ES256", "RS256"], audience=audience, issuer=issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
        )
    except Exception as error:  # noqa: BLE001 - any failure is a refusal
        print(f"refused: {type(error).__name__}: {error}")
        return 1
    if claims.get("host") != host or claims.get("path") != path:
        print(f"refused: host/path {claims.get('host')!r} {claims.get('path')!r}")
        return 1
    print(json.dumps({"alg": jwt.get_unverified_header(token)["alg"], "claims": claims}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
