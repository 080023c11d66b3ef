#!/usr/bin/env python3
"""Proof that authkit-emulator speaks WorkOS: the official WorkOS Python SDK, pointed at the
emulator, runs the AuthKit flow and parses every answer with its own models.

Usage: workos_sdk_check.py BASE_URL
"""
import base64
import hashlib
import secrets
import sys
import urllib.parse
import urllib.request

import jwt
from workos import WorkOSClient

BASE_URL = sys.argv[1].rstrip("/")
CLIENT_ID = "client_emulate"
REDIRECT_URI = "http://localhost:8080/auth/callback"
passed = failed = 0


def check(name, condition, detail=""):
    global passed, failed
    if condition:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


client = WorkOSClient(api_key="sk_test_default", client_id=CLIENT_ID, base_url=BASE_URL + "/", max_retries=0)
um = client.user_management

# 1. Authorization URL with PKCE, built by the SDK.
verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
url = um.get_authorization_url(
    provider="authkit", redirect_uri=REDIRECT_URI, state="sdk-state",
    code_challenge=challenge, code_challenge_method="S256", login_hint="ada@example.com")
check("authorization URL points at the emulator", url.startswith(BASE_URL + "/user_management/authorize?"), url)

# 2. The emulator approves at once (login_hint picks the user) and redirects with a code.
opener = urllib.request.build_opener(NoRedirect)
try:
    opener.open(url)
    location = None
except urllib.error.HTTPError as redirect:
    location = redirect.headers.get("Location")
query = urllib.parse.parse_qs(urllib.parse.urlparse(location or "").query)
code = query.get("code", [None])[0]
check("authorize redirects back with a code and the state", code is not None and query.get("state") == ["sdk-state"], location)

# 3. Code exchange with the verifier, parsed by the SDK's AuthenticateResponse model.
auth = um.authenticate_with_code(code=code, code_verifier=verifier)
check("code exchange returns the seeded user", auth.user.email == "ada@example.com", auth.user)
check("code exchange returns the organization", auth.organization_id == "org_01EMULATEACME00000000000")
check("code exchange returns tokens", bool(auth.access_token) and bool(auth.refresh_token))

# 4. Refresh with the refresh token: a new pair.
refreshed = um.authenticate_with_refresh_token(refresh_token=auth.refresh_token)
check("refresh rotates the refresh token", refreshed.refresh_token != auth.refresh_token)
try:
    um.authenticate_with_refresh_token(refresh_token=auth.refresh_token)
    check("a reused refresh token is refused", False)
except Exception as error:  # the SDK raises its BadRequestException
    check("a reused refresh token is refused", "already exchanged" in str(error) or "invalid_grant" in str(error), error)

# 5. JWKS from the SDK's URL, access token verified by PyJWT.
jwks_url = um.get_jwks_url()
check("JWKS URL is the emulator's", jwks_url == f"{BASE_URL}/sso/jwks/{CLIENT_ID}", jwks_url)
signing_key = jwt.PyJWKClient(jwks_url).get_signing_key_from_jwt(refreshed.access_token)
claims = jwt.decode(refreshed.access_token, signing_key.key, algorithms=["RS256"], options={"verify_aud": False})
check("access token verifies with RS256", claims["sub"] == auth.user.id and "sid" in claims, claims)
check("access token carries the role", claims.get("role") == "admin", claims)

# 6. Logout URL from the SDK, followed: the session ends.
logout = um.get_logout_url(session_id=claims["sid"], return_to="http://localhost:8080/")
check("logout URL points at the emulator", logout.startswith(BASE_URL + "/user_management/sessions/logout?session_id="), logout)
try:
    opener.open(logout)
except urllib.error.HTTPError:
    pass
try:
    um.authenticate_with_refresh_token(refresh_token=refreshed.refresh_token)
    check("logout ends the session", False)
except Exception:
    check("logout ends the session", True)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
