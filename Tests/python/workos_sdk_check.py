#!/usr/bin/env python3
"""Proof that authkit-emulator speaks WorkOS: the official WorkOS Python SDK (`workos`),
pointed at the emulator with `base_url`, runs the AuthKit flow and parses every answer with
its own models; PyJWT and `cryptography` check the tokens and the published keys.

Usage: workos_sdk_check.py BASE_URL   (the emulator must run with its built-in seed)
Prints one line per check and "N passed, M failed"; exits 1 on any failure.
"""
import base64
import hashlib
import json
import sys
import traceback
import urllib.error
import urllib.parse
import urllib.request

import jwt
from cryptography import x509
from cryptography.fernet import Fernet
from workos import (AuthenticationError, BadRequestError, NotFoundError, RateLimitExceededError, WorkOSClient,
                    create_public_client)
from workos.api_keys.models import ApiKey, ApiKeyValidationResponse, OrganizationApiKey, OrganizationApiKeyWithValue
from workos.pkce import PKCE
from workos.session import seal_session_from_auth_response
from workos.user_management.models import AuthenticateResponse, JwksResponse

BASE_URL = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:4100"
CLIENT_ID = "client_emulate"
API_KEY = "sk_test_default"
REDIRECT_URI = "http://localhost:8080/auth/callback"
ADA, ACME, GLOBEX = "user_01EMULATEADMIN0000000000", "org_01EMULATEACME00000000000", "org_01EMULATEGLOBEX000000000"
results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    key = "passed" if condition else "failed"
    results[key] += 1
    print(f"{'ok  ' if condition else 'FAIL'} {name}" + ("" if condition else f"  -- {detail}"))
    return condition


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get_without_redirect(url):
    """GET `url`; returns (status, Location) without following the redirect."""
    try:
        response = urllib.request.build_opener(NoRedirect).open(url, timeout=10)
        return response.status, None
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers.get("Location")


def control(method, path, body=None):
    """Calls the emulator's /_emulate/ test controls (not part of WorkOS)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE_URL + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def sign_in(url, expected_state):
    """Follows the SDK's authorization URL to the emulator, which approves at once."""
    status, location = get_without_redirect(url)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(location or "").query)
    code = query.get("code", [None])[0]
    check("authorize answers 302 to the redirect URI with a code and the state untouched",
          status == 302 and (location or "").startswith(REDIRECT_URI + "?") and code
          and query.get("state") == [expected_state], f"{status} {location}")
    return code


def claims_of(token, jwks_response):
    """Verifies `token` (RS256) against the key with its kid in the SDK-parsed JWKS."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks_response.keys if k.kid == kid)
    public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key.to_dict()))
    return jwt.decode(token, public_key, algorithms=["RS256"], options={"verify_aud": False})


def main():
    client = WorkOSClient(api_key=API_KEY, client_id=CLIENT_ID, base_url=BASE_URL, max_retries=0)
    um = client.user_management

    # 1. Authorization URL with PKCE, built by the SDK, completed by the auto-approving emulator.
    started = um.get_authorization_url_with_pkce(
        redirect_uri=REDIRECT_URI, provider="authkit", login_hint="ada@example.com", screen_hint="sign-in")
    check("SDK builds the authorization URL on the emulator",
          started["url"].startswith(BASE_URL + "/user_management/authorize?"), started["url"])
    code = sign_in(started["url"], started["state"])

    # 2. Code exchange with the verifier, parsed by the SDK's AuthenticateResponse.
    auth = um.authenticate_with_code(code=code, code_verifier=started["code_verifier"])
    check("code exchange parses as AuthenticateResponse", isinstance(auth, AuthenticateResponse), type(auth))
    check("code exchange returns the seeded user", auth.user.id == ADA and auth.user.email == "ada@example.com"
          and auth.user.first_name == "Ada" and auth.user.email_verified is True, auth.user)
    check("code exchange returns the organization and method",
          auth.organization_id == ACME and auth.authentication_method.value == "Password",
          (auth.organization_id, auth.authentication_method))
    try:
        um.authenticate_with_code(code=code, code_verifier=started["code_verifier"])
        check("a code works once", False, "second exchange succeeded")
    except BadRequestError as error:
        check("a code works once", error.error == "invalid_grant", vars(error))

    pair = PKCE().generate()
    url = um.get_authorization_url(provider="authkit", redirect_uri=REDIRECT_URI, state="s2",
                                   code_challenge=pair.code_challenge, code_challenge_method="S256")
    try:
        um.authenticate_with_code(code=sign_in(url, "s2"), code_verifier=PKCE().generate_code_verifier())
        check("a wrong code_verifier is refused", False, "exchange succeeded")
    except BadRequestError as error:
        check("a wrong code_verifier is refused", error.error == "invalid_grant", vars(error))

    # 3. JWKS through the SDK's model (x5c and x5t#S256 included), token verified by PyJWT.
    jwks = um.get_jwks(CLIENT_ID)
    check("JWKS parses as JwksResponse", isinstance(jwks, JwksResponse) and len(jwks.keys) >= 1, jwks)
    key = jwks.keys[0]
    certificate = x509.load_der_x509_certificate(base64.b64decode(key.x_5_c[0]))
    numbers = certificate.public_key().public_numbers()
    n = int.from_bytes(base64.urlsafe_b64decode(key.n + "=" * (-len(key.n) % 4)), "big")
    thumbprint = base64.urlsafe_b64encode(hashlib.sha256(base64.b64decode(key.x_5_c[0])).digest()).rstrip(b"=").decode()
    check("x5c certificate holds the JWK's key and matches x5t#S256",
          numbers.n == n and numbers.e == 65537 and thumbprint == key.x_5_t_s_256, key.kid)
    claims = claims_of(auth.access_token, jwks)
    check("access token verifies (RS256, kid) and names the user and session",
          claims["sub"] == ADA and claims["sid"].startswith("session_") and claims["jti"], claims)
    check("access token carries the organization claims",
          claims["org_id"] == ACME and claims["role"] == "admin" and claims["roles"] == ["admin"]
          and "posts:write" in claims["permissions"] and claims["entitlements"] == ["audit-logs"]
          and claims["feature_flags"] == ["beta-dashboard"], claims)
    check("access token lives 300 s and names its issuer",
          claims["exp"] - claims["iat"] == 300 and claims["iss"] == f"{BASE_URL}/user_management/{CLIENT_ID}"
          and isinstance(claims["auth_time"], int), claims)
    jwk_client = jwt.PyJWKClient(um.get_jwks_url())
    signing_key = jwk_client.get_signing_key_from_jwt(auth.access_token)
    check("PyJWKClient on the SDK's JWKS URL verifies the token",
          jwt.decode(auth.access_token, signing_key.key, algorithms=["RS256"], options={"verify_aud": False})["sub"] == ADA)

    # 4. Refresh: a new pair; the old refresh token is then refused with WorkOS's exact error.
    refreshed = um.authenticate_with_refresh_token(refresh_token=auth.refresh_token)
    check("refresh rotates the refresh token", refreshed.refresh_token != auth.refresh_token
          and claims_of(refreshed.access_token, jwks)["sid"] == claims["sid"])
    try:
        um.authenticate_with_refresh_token(refresh_token=auth.refresh_token)
        check("a reused refresh token is refused", False, "reuse succeeded")
    except BadRequestError as error:
        check("a reused refresh token is refused: 400 invalid_grant 'Refresh token already exchanged.'",
              error.status_code == 400 and error.error == "invalid_grant"
              and error.error_description == "Refresh token already exchanged." and error.request_id, vars(error))
    switched = um.authenticate_with_refresh_token(refresh_token=refreshed.refresh_token, organization_id=GLOBEX)
    check("refresh with organization_id switches organization",
          switched.organization_id == GLOBEX and claims_of(switched.access_token, jwks)["role"] == "member")

    # 5. The SDK's retries with its Idempotency-Key: the answer is lost (503 after the refresh
    #    ran), the retry gets the stored answer instead of "already exchanged".
    control("POST", "/_emulate/hooks", {"path": "/user_management/authenticate", "status": 503,
                                        "headers": {"Retry-After": "0"}, "after": True, "times": 1})
    retrying = WorkOSClient(api_key=API_KEY, client_id=CLIENT_ID, base_url=BASE_URL, max_retries=2)
    replayed = retrying.user_management.authenticate_with_refresh_token(refresh_token=switched.refresh_token)
    counters = control("GET", "/_emulate/counters")
    check("an SDK retry after a lost answer is replayed by Idempotency-Key",
          replayed.refresh_token and counters.get("idempotent_replays") == 1, counters)
    control("POST", "/_emulate/hooks", {"path": "/user_management/authenticate", "status": 429,
                                        "headers": {"Retry-After": "7"}, "times": 1})
    try:
        um.authenticate_with_refresh_token(refresh_token=replayed.refresh_token)
        check("an injected 429 reaches the SDK with Retry-After", False, "no error")
    except RateLimitExceededError as error:
        check("an injected 429 reaches the SDK with Retry-After", error.retry_after == 7.0, vars(error))

    # 6. The SDK's sealed session helpers: authenticate and refresh through the JWKS.
    password = Fernet.generate_key().decode()
    sealed = seal_session_from_auth_response(access_token=replayed.access_token, refresh_token=replayed.refresh_token,
                                             user=replayed.user.to_dict(), cookie_password=password)
    session = um.load_sealed_session(session_data=sealed, cookie_password=password)
    state = session.authenticate()
    check("SDK session authenticate accepts the access token", state.authenticated and state.organization_id == GLOBEX,
          state)
    renewed = session.refresh()
    check("SDK session refresh succeeds", renewed.authenticated and renewed.session_id == claims["sid"], renewed)

    # 7. Logout URL from the SDK, followed: the session ends and its refresh token fails.
    logout = session.get_logout_url(return_to="http://localhost:8080/")
    check("SDK builds the logout URL on the emulator",
          logout.startswith(BASE_URL + "/user_management/sessions/logout?session_id=" + claims["sid"]), logout)
    status, location = get_without_redirect(logout)
    check("logout redirects to return_to", status == 302 and location == "http://localhost:8080/", (status, location))
    refresh_after = session.refresh()
    check("after logout the session's refresh token is refused", not refresh_after.authenticated, refresh_after)

    # 8. Revoke (server side) ends another session.
    other = um.authenticate_with_code(code=sign_in(um.get_authorization_url(
        provider="authkit", redirect_uri=REDIRECT_URI, state="s3", login_hint="grace@example.com"), "s3"))
    um.revoke_session(session_id=claims_of(other.access_token, jwks)["sid"])
    try:
        um.authenticate_with_refresh_token(refresh_token=other.refresh_token)
        check("revoke_session ends the session", False, "refresh succeeded")
    except BadRequestError as error:
        check("revoke_session ends the session", error.error == "invalid_grant", vars(error))

    # 9. Impersonation, as seeded, in the SDK's model and the token's act claim.
    impersonated = um.authenticate_with_code(code=sign_in(um.get_authorization_url(
        provider="authkit", redirect_uri=REDIRECT_URI, state="s4", login_hint="margaret@example.com"), "s4"))
    check("an impersonated session names the impersonator",
          impersonated.impersonator and impersonated.impersonator.email == "support@example.com"
          and impersonated.authentication_method.value == "Impersonation"
          and claims_of(impersonated.access_token, jwks)["act"] == {"sub": "support@example.com"}, impersonated)

    # 10. A public client (no API key): PKCE alone authenticates.
    public = create_public_client(client_id=CLIENT_ID, base_url=BASE_URL)
    flow = public.user_management.get_authorization_url_with_pkce(redirect_uri=REDIRECT_URI, provider="authkit")
    public_auth = public.user_management.authenticate_with_code_pkce(
        code=sign_in(flow["url"], flow["state"]), code_verifier=flow["code_verifier"])
    check("a public client exchanges a code with PKCE and no API key", public_auth.user.id == ADA, public_auth)

    # 11. Organization API keys: minted, listed, validated, expired and deleted through the SDK.
    keys = client.api_keys
    minted = keys.create_organization_api_key(ACME, name="CI deploy", permissions=["posts:read", "posts:write"])
    check("create_organization_api_key returns the key with its value once",
          isinstance(minted, OrganizationApiKeyWithValue) and minted.id.startswith("api_key_") and minted.value
          and minted.owner.type == "organization" and minted.owner.id == ACME and minted.name == "CI deploy"
          and minted.permissions == ["posts:read", "posts:write"] and minted.expires_at is None
          and minted.obfuscated_value.endswith(minted.value[-4:]) and minted.value not in minted.obfuscated_value, minted)
    second = keys.create_organization_api_key(ACME, name="reporting")
    page = keys.list_organization_api_keys(ACME, limit=1)
    rest = list(page.auto_paging_iter())
    check("list_organization_api_keys pages newest first, without values",
          [k.id for k in rest] == [second.id, minted.id] and isinstance(rest[0], OrganizationApiKey)
          and not hasattr(rest[0], "value") and page.after == second.id, ([k.to_dict() for k in rest], page.after))
    valid = keys.create_validation(value=minted.value)
    check("create_validation returns the key for its value",
          isinstance(valid, ApiKeyValidationResponse) and valid.api_key and valid.api_key.id == minted.id
          and valid.api_key.owner.id == ACME and valid.api_key.permissions == ["posts:read", "posts:write"]
          and valid.api_key.last_used_at is not None, valid)
    unknown = keys.create_validation(value="sk_not_a_key")
    check("create_validation answers api_key null for an unknown value", unknown.api_key is None, unknown)
    expired = keys.create_api_key_expire(minted.id)
    check("create_api_key_expire expires the key now", isinstance(expired, ApiKey) and expired.expires_at is not None, expired)
    check("an expired key no longer validates", keys.create_validation(value=minted.value).api_key is None)
    keys.delete_api_key(second.id)
    check("a deleted key no longer validates", keys.create_validation(value=second.value).api_key is None)
    try:
        keys.delete_api_key(second.id)
        check("deleting a deleted key is 404", False, "delete succeeded")
    except NotFoundError as error:
        check("deleting a deleted key is 404", error.status_code == 404, vars(error))
    try:
        WorkOSClient(api_key="sk_test_wrong", client_id=CLIENT_ID, base_url=BASE_URL, max_retries=0).api_keys.create_validation(
            value=minted.value)
        check("validation needs the API key", False, "validated with a wrong key")
    except AuthenticationError as error:
        check("validation needs the API key", error.status_code == 401, vars(error))


try:
    main()
except Exception:  # a step the later ones depend on failed: report it and stop
    results["failed"] += 1
    print("FAIL unexpected error:")
    traceback.print_exc(file=sys.stdout)
print(f"{results['passed']} passed, {results['failed']} failed")
sys.exit(1 if results["failed"] else 0)
