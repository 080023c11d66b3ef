// Why not jwt-kit: verifying the access token is 2.05x slower there (+57 % per check) and it needs swift-crypto's BoringSSL (docs/build-or-buy.md).

/// Why a token was not accepted. Every case means "the access token is not valid", which
/// authkit answers with a refresh.
public enum TokenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not three base64url parts of JSON, or required claims missing.
    case malformed(String)
    /// `alg` is not RS256 (`none`, HS256, ES256, …), or a `crit` header is present.
    case unsupportedAlgorithm(String)
    /// No key in the JWKS matches the token's `kid`.
    case unknownKey(String?)
    case badSignature
    /// `exp` has passed (beyond the leeway).
    case expired
    /// `nbf` is in the future (beyond the leeway).
    case notYetValid
    /// `iss` is missing or not one of the ``AcceptedIssuers`` (the value, if any).
    case wrongIssuer(String?)
    /// No keys could be had at all: the JWKS endpoint failed and nothing was cached.
    case keysUnavailable(String)

    public var description: String {
        switch self {
        case .malformed(let why): "malformed token: \(why)"
        case .unsupportedAlgorithm(let alg): "unsupported algorithm \(alg)"
        case .unknownKey(let kid): "no key for kid \(kid ?? "(none)")"
        case .badSignature: "bad signature"
        case .expired: "expired"
        case .notYetValid: "not yet valid"
        case .wrongIssuer(let issuer): "issuer \(issuer.map(LocationSettings.visible) ?? "(none)") not accepted"
        case .keysUnavailable(let why): "signing keys unavailable: \(why)"
        }
    }
}

/// A compact JWS split into its parts; nothing is verified yet.
public struct JWT: Sendable {
    public var header: JSONValue
    /// The payload's JSON text, decoded from base64url but not parsed: the claims read it in
    /// one pass (``AccessTokenClaims/init(payloadJSON:)``).
    public var payloadJSON: [UInt8]
    /// `base64url(header).base64url(payload)`, the bytes the signature covers.
    public var signingInput: [UInt8]
    public var signature: [UInt8]

    public var algorithm: String? { header["alg"]?.stringValue }
    public var keyId: String? { header["kid"]?.stringValue }

    /// Splits and decodes a token. Does not check the signature or any claim, and leaves the
    /// payload unparsed.
    public init(_ token: String) throws(TokenError) {
        // Byte-level split: splitting a String by Character is slow on 2 KB tokens.
        let bytes = token.utf8Array
        var dots: [Int] = []
        dots.reserveCapacity(3)
        bytes.withUnsafeBufferPointer { all in
            var from = 0
            while dots.count < 3, let dot = all.firstOffset(of: UInt8(ascii: "."), from: from) {
                dots.append(dot)
                from = dot + 1
            }
        }
        guard dots.count == 2 else { throw .malformed("expected 3 parts, found \(dots.count + 1)") }
        let decoded: (header: [UInt8], payload: [UInt8], signature: [UInt8])? = bytes.withUnsafeBufferPointer { all in
            guard let header = Base64URL.decode(bytes: UnsafeBufferPointer(rebasing: all[0..<dots[0]])),
                  let payload = Base64URL.decode(bytes: UnsafeBufferPointer(rebasing: all[(dots[0] + 1)..<dots[1]])),
                  let signature = Base64URL.decode(bytes: UnsafeBufferPointer(rebasing: all[(dots[1] + 1)...])) else {
                return nil
            }
            return (header, payload, signature)
        }
        guard let decoded else { throw .malformed("bad base64url") }
        do {
            header = try JSONParser.parse(decoded.header)
        } catch {
            throw .malformed("bad JSON")
        }
        guard case .object = header else { throw .malformed("header is not an object") }
        payloadJSON = decoded.payload
        self.signature = decoded.signature
        self.signingInput = Array(bytes[0..<dots[1]])
    }
}
