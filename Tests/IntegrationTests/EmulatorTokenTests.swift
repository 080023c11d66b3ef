import AuthKitCore
import AuthKitCrypto
import Foundation
import Testing

/// `authkit-emulator` over a real socket: access tokens, JWKS, key rotation, clock, lifetime.
@Suite struct EmulatorTokenTests {
    @Test func accessTokensVerifyAgainstTheJWKS() throws {
        let emulator = try EmulatorProcess(arguments: ["--access-token-ttl", "120"])
        let before = Int(Date().timeIntervalSince1970)
        let token = try emulator.signIn()["access_token"] as! String
        let jwt = try CompactJWT(token)
        #expect(jwt.header["alg"] as? String == "RS256" && jwt.header["typ"] as? String == "JWT" && jwt.keyId != nil)

        let jwks = try emulator.request("GET", "/sso/jwks/client_emulate")
        #expect(jwks.status == 200)
        #expect(try jwt.verifies(withJWKS: jwks.body))
        let key = try #require((emulator.object(jwks)["keys"] as? [[String: Any]])?.first)
        #expect(key["alg"] as? String == "RS256" && key["kty"] as? String == "RSA" && key["use"] as? String == "sig")
        #expect(key["e"] as? String == "AQAB" && (key["x5c"] as? [String])?.count == 1 && key["x5t#S256"] is String)
        #expect(try emulator.request("GET", "/sso/jwks/client_other").status == 404)

        let claims = jwt.claims
        #expect(claims["iss"] as? String == "\(emulator.base)/user_management/client_emulate")
        #expect(claims["sub"] as? String == "user_01EMULATEADMIN0000000000")
        #expect((claims["sid"] as? String)?.hasPrefix("session_01") == true && claims["jti"] is String)
        #expect(claims["org_id"] as? String == "org_01EMULATEACME00000000000")
        #expect(claims["role"] as? String == "admin" && claims["roles"] as? [String] == ["admin"])
        #expect(claims["permissions"] as? [String] == ["posts:read", "posts:write", "users:manage"])
        #expect(claims["entitlements"] as? [String] == ["audit-logs"] && claims["feature_flags"] as? [String] == ["beta-dashboard"])
        let iat = try #require(claims["iat"] as? Int), exp = try #require(claims["exp"] as? Int)
        #expect(exp - iat == 120 && abs(iat - before) <= 5 && claims["auth_time"] as? Int == iat)
        #expect(claims["act"] == nil)
        // Another payload under the same signature does not verify.
        var parts = token.split(separator: ".").map(String.init)
        parts[1] = Data(#"{"sub":"user_someone_else"}"#.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let forged = try CompactJWT(parts.joined(separator: "."))
        #expect(try !forged.verifies(withJWKS: jwks.body))
    }

    /// No organization: no organization claims at all.
    @Test func tokensWithoutAnOrganization() throws {
        let emulator = try EmulatorProcess()
        let claims = try CompactJWT(try emulator.signIn("alan@example.com")["access_token"] as! String).claims
        for name in ["org_id", "role", "roles", "permissions", "entitlements", "feature_flags"] {
            #expect(claims[name] == nil, "\(name)")
        }
        #expect(claims["sub"] as? String == "user_01EMULATENOORG0000000000" && claims["sid"] is String)
    }

    /// Rotation: new tokens carry the new `kid`; the old key stays published or is dropped.
    @Test func keyRotation() throws {
        let emulator = try EmulatorProcess()
        let old = try CompactJWT(try emulator.signIn()["access_token"] as! String)
        let kept = try emulator.control("POST", "/_emulate/keys/rotate", #"{"keep_old":true}"#)
        let newKid = try #require(kept["kid"] as? String)
        #expect(newKid != old.keyId && kept["kids"] as? [String] == [newKid, old.keyId!])
        let rotated = try CompactJWT(try emulator.signIn()["access_token"] as! String)
        #expect(rotated.keyId == newKid)
        let both = try emulator.request("GET", "/sso/jwks/client_emulate").body
        #expect(try rotated.verifies(withJWKS: both) && old.verifies(withJWKS: both))

        let dropped = try emulator.control("POST", "/_emulate/keys/rotate", #"{"keep_old":false}"#)
        #expect((dropped["kids"] as? [String])?.count == 1)
        let only = try emulator.request("GET", "/sso/jwks/client_emulate").body
        #expect(try !rotated.verifies(withJWKS: only) && !old.verifies(withJWKS: only))
        #expect(try CompactJWT(try emulator.signIn()["access_token"] as! String).verifies(withJWKS: only))
    }

    /// The clock shift moves `iat`/`exp` and ages authorization codes (10 minutes).
    @Test func clockShift() throws {
        let emulator = try EmulatorProcess()
        let clock = try emulator.control("POST", "/_emulate/clock", #"{"offset_seconds":3600}"#)
        #expect(clock["offset_seconds"] as? Double == 3600)
        let shifted = try CompactJWT(try emulator.signIn()["access_token"] as! String).claims
        let now = Int(Date().timeIntervalSince1970)
        #expect(abs((shifted["iat"] as! Int) - now - 3600) <= 5)

        let code = try emulator.code()
        try emulator.control("POST", "/_emulate/clock", #"{"advance_seconds":601}"#)
        #expect(try emulator.control("GET", "/_emulate/clock")["offset_seconds"] as? Double == 4201)
        let expired = try emulator.exchange(code)
        #expect(expired.status == 400 && emulator.object(expired)["error"] as? String == "invalid_grant")
        try emulator.control("POST", "/_emulate/clock", #"{"offset_seconds":-400}"#)
        let past = try CompactJWT(try emulator.signIn()["access_token"] as! String).claims
        #expect((past["exp"] as! Int) < now, "an access token already expired, for refresh tests")
    }

    /// The access-token lifetime, from the command line or `/_emulate/config`.
    @Test func accessTokenLifetime() throws {
        let emulator = try EmulatorProcess(arguments: ["--access-token-ttl", "30"])
        #expect(try emulator.control("GET", "/_emulate/config")["access_token_ttl"] as? Int == 30)
        let config = try emulator.control("POST", "/_emulate/config", #"{"access_token_ttl":5}"#)
        #expect(config["access_token_ttl"] as? Int == 5)
        let claims = try CompactJWT(try emulator.signIn()["access_token"] as! String).claims
        #expect((claims["exp"] as! Int) - (claims["iat"] as! Int) == 5)
        #expect(try emulator.request("POST", "/_emulate/config", json: #"{"access_token_ttl":0}"#).status == 400)
    }
}
