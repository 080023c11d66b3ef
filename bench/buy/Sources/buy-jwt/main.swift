// AuthKitCore/Token (JWT split, RS256 against the JWKS, claims, exp/nbf/iss) side by side with
// vapor/jwt-kit 5 (Codable payloads, swift-crypto's RSA) verifying the same WorkOS access token
// at the same fixed time, with the same claims read.
import AuthKitCore
import AuthKitCrypto
import BuyMeasure
import Foundation
import JWTKit

let now: Int64 = 1_785_000_000
let issuer = "https://api.workos.com/user_management/client_01HBENCH"
let key = try RSAPrivateKey(generatingBits: 2048)
let jwks = """
{"keys":[{"alg":"RS256","kty":"RSA","use":"sig","n":"\(Base64URL.encode(try key.modulus()))","e":"\(Base64URL.encode(try key.exponent()))","kid":"key_bench"}]}
"""
// bench/core's token: roles, 40 permissions, entitlements, flags.
let permissions = (1...40).map { "\"resource_\($0):read\"" }.joined(separator: ",")
let claims = """
{"iss":"\(issuer)","sub":"user_01H5JQDV7R7ATEYZDEG0W5PRYS","sid":"session_01HBENCHSESSION0000000000","jti":"01HBENCHJTI000000000000000","org_id":"org_01HRDMC6CM357W30QMHMQ96Q0S","role":"admin","roles":["admin","member"],"permissions":[\(permissions)],"entitlements":["audit-logs","sso"],"feature_flags":["beta-dashboard","new-billing"],"exp":\(now + 300),"iat":\(now)}
"""
let header = #"{"alg":"RS256","kid":"key_bench","typ":"JWT"}"#
let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(claims.utf8))
let token = signingInput + "." + Base64URL.encode(try key.signRS256(Array(signingInput.utf8)))

let config = AuthKitConfig(clientId: "client_01HBENCH", apiKey: "sk_test_bench", cookiePassword: "this-is-a-32-character-password!",
                           redirectURI: "https://app.example.com/auth/callback")
let verifier = AccessTokenVerifier(keys: StaticKeyProvider(try JSONWebKeySet(json: Array(jwks.utf8))),
                                   clock: FixedClock(millis: now * 1000), issuers: config.acceptedIssuers)

/// The claims AccessTokenClaims reads, as a jwt-kit payload; `verify` does what our verifier
/// does after the signature: exp (no leeway), nbf, and the issuer.
struct WorkOSAccessToken: JWTPayload {
    let iss: IssuerClaim
    let sub: SubjectClaim
    let sid: String?
    let org_id: String?
    let role: String?
    let roles: [String]?
    let permissions: [String]?
    let entitlements: [String]?
    let feature_flags: [String]?
    let exp: ExpirationClaim
    let iat: IssuedAtClaim?
    let nbf: NotBeforeClaim?

    static let fixedNow = Date(timeIntervalSince1970: TimeInterval(now))

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired(currentDate: Self.fixedNow)
        try nbf?.verifyNotBefore(currentDate: Self.fixedNow)
        guard iss.value == issuer else { throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "issuer") }
    }
}

let keys = JWTKeyCollection()
try await keys.add(jwksJSON: jwks)
guard case .success(let ours) = verifier.verify(token) else { fatalError("ours refuses the token") }
let theirs = try await keys.verify(token, as: WorkOSAccessToken.self)
precondition(ours.subject == theirs.sub.value && ours.permissions == (theirs.permissions ?? []), "the two read different claims")
// Both must refuse a token signed by another key and an `alg: none` token.
let other = try RSAPrivateKey(generatingBits: 2048)
let forged = signingInput + "." + Base64URL.encode(try other.signRS256(Array(signingInput.utf8)))
let unsigned = Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + Base64URL.encode(Array(claims.utf8)) + "."
for bad in [forged, unsigned] {
    guard case .failure = verifier.verify(bad) else { fatalError("ours accepts a bad token") }
    if (try? await keys.verify(bad, as: WorkOSAccessToken.self)) != nil { fatalError("jwt-kit accepts a bad token") }
}

let results = [
    await pair("verify the \(token.utf8.count)-byte access token", iterations: 3000,
               ours: { blackHole(verifier.verify(token)) },
               library: { blackHole(try? await keys.verify(token, as: WorkOSAccessToken.self)) }),
    await pair("parse the JWKS (1 RSA key)", iterations: 3000,
               ours: { blackHole(try? JSONWebKeySet(json: Array(jwks.utf8))) },
               library: { blackHole(try? await JWTKeyCollection().add(jwksJSON: jwks)) }),
]
printTable("AuthKitCore/Token vs jwt-kit 5.8.0", library: "jwt-kit", results)
