import AuthKitCore
import AuthKitCrypto
import Foundation
import Testing

/// Requests and checks the emulator's own tests share. Built on raw HTTP, base64url and
/// AuthKitCrypto (not AuthKitCore's WorkOS client or verifier), so these tests check the
/// emulator against WorkOS's rules rather than against the code it will later test.
extension EmulatorProcess {
    /// RFC 7636 appendix B.
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    static let callback = "http://localhost:8080/auth/callback"

    /// Any request, with exactly these headers; `via` another transport for a fresh connection.
    func send(_ method: String, _ path: String, body: String = "", headers: [(name: String, value: String)] = [],
              via transport: (any HTTPTransport)? = nil) throws -> HTTPResponse {
        try (transport ?? http).send(HTTPRequest(method: method, url: base + path, headers: headers, body: Array(body.utf8)))
    }

    /// `GET /user_management/authorize` with these parameters on top of a valid request.
    func authorize(_ parameters: [String: String?] = [:]) throws -> HTTPResponse {
        var query: [String: String?] = [
            "client_id": Self.clientId, "redirect_uri": Self.callback, "response_type": "code", "provider": "authkit",
        ]
        query.merge(parameters) { _, new in new }
        return try send("GET", "/user_management/authorize?" + formEncode(query.compactMapValues { $0 }))
    }

    /// The code from an auto-approved authorize for `loginHint`.
    func code(loginHint: String? = "ada@example.com", challenge: String? = nil, organizationId: String? = nil) throws -> String {
        let response = try authorize(["login_hint": loginHint, "code_challenge": challenge,
                                      "code_challenge_method": challenge == nil ? nil : "S256", "organization_id": organizationId])
        return try #require(redirectQuery(response)["code"], "authorize answered \(response.status) \(response.header("Location") ?? "")")
    }

    /// `POST /user_management/authenticate` with a JSON body built from `fields`.
    func authenticate(_ fields: [String: String], headers: [(name: String, value: String)] = [],
                      via transport: (any HTTPTransport)? = nil) throws -> HTTPResponse {
        let body = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        return try send("POST", "/user_management/authenticate", body: String(decoding: body, as: UTF8.self),
                        headers: [("Content-Type", "application/json")] + headers, via: transport)
    }

    func exchange(_ code: String, verifier: String? = nil, secret: String? = EmulatorProcess.apiKey) throws -> HTTPResponse {
        var fields = ["grant_type": "authorization_code", "client_id": Self.clientId, "code": code]
        fields["code_verifier"] = verifier
        fields["client_secret"] = secret
        return try authenticate(fields)
    }

    func refresh(_ token: String, organizationId: String? = nil, headers: [(name: String, value: String)] = [],
                 via transport: (any HTTPTransport)? = nil) throws -> HTTPResponse {
        var fields = ["grant_type": "refresh_token", "client_id": Self.clientId, "client_secret": Self.apiKey, "refresh_token": token]
        fields["organization_id"] = organizationId
        return try authenticate(fields, headers: headers, via: transport)
    }

    /// Signs `loginHint` in and returns the authenticate answer.
    func signIn(_ loginHint: String = "ada@example.com", organizationId: String? = nil) throws -> [String: Any] {
        let response = try exchange(try code(loginHint: loginHint, organizationId: organizationId))
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
        return object(response)
    }

    /// A control call with a JSON body.
    @discardableResult
    func control(_ method: String, _ path: String, _ json: String = "") throws -> [String: Any] {
        object(try request(method, path, json: json.isEmpty ? nil : json))
    }

    /// The decoded query of a redirect's `Location`.
    func redirectQuery(_ response: HTTPResponse) -> [String: String] {
        let items = URLComponents(string: response.header("Location") ?? "")?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }
}

/// `application/x-www-form-urlencoded`, every byte but unreserved ones escaped.
func formEncode(_ fields: [String: String]) -> String {
    let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
    return fields.sorted { $0.key < $1.key }.map {
        "\($0.key.addingPercentEncoding(withAllowedCharacters: unreserved)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: unreserved)!)"
    }.joined(separator: "&")
}

/// A compact JWS taken apart, and checked with AuthKitCrypto only.
struct CompactJWT {
    let header: [String: Any]
    let claims: [String: Any]
    let signingInput: [UInt8]
    let signature: [UInt8]

    init(_ token: String) throws {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try #require(parts.count == 3)
        header = try #require(try Self.object(parts[0]))
        claims = try #require(try Self.object(parts[1]))
        signingInput = Array("\(parts[0]).\(parts[1])".utf8)
        signature = try #require(base64URLDecode(parts[2]))
    }

    var keyId: String? { header["kid"] as? String }

    private static func object(_ part: String) throws -> [String: Any]? {
        guard let bytes = base64URLDecode(part) else { return nil }
        return try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
    }

    /// Whether a key in the JWKS document with this token's `kid` verifies its RS256 signature.
    func verifies(withJWKS document: [UInt8]) throws -> Bool {
        let set = try #require(try JSONSerialization.jsonObject(with: Data(document)) as? [String: Any])
        let keys = try #require(set["keys"] as? [[String: Any]])
        guard let jwk = keys.first(where: { $0["kid"] as? String == keyId }),
              let n = (jwk["n"] as? String).flatMap(base64URLDecode), let e = (jwk["e"] as? String).flatMap(base64URLDecode) else {
            return false
        }
        return try RSAPublicKey(modulus: n, exponent: e).verifyRS256(signature: signature, message: signingInput)
    }
}

func base64URLDecode(_ text: String) -> [UInt8]? {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    return Data(base64Encoded: base64).map(Array.init)
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Organization API keys on the emulator, through its WorkOS API (as a dashboard or an SDK would).
extension EmulatorProcess {
    static let acme = "org_01EMULATEACME00000000000"

    /// Mints a key: its id and its value (shown once).
    func createApiKey(organizationId: String = EmulatorProcess.acme, name: String = "CI deploy",
                      permissions: [String] = ["posts:read", "posts:write"]) throws -> (id: String, value: String) {
        let body = try JSONSerialization.data(withJSONObject: ["name": name, "permissions": permissions], options: [.sortedKeys])
        let response = try request("POST", "/organizations/\(organizationId)/api_keys", json: String(decoding: body, as: UTF8.self),
                                   headers: [("Authorization", "Bearer \(Self.apiKey)")])
        let created = object(response)
        return (try #require(created["id"] as? String, "create answered \(response.status)"), try #require(created["value"] as? String))
    }

    /// `DELETE /api_keys/{id}`; the status.
    @discardableResult
    func deleteApiKey(_ id: String) throws -> Int {
        try request("DELETE", "/api_keys/\(id)", headers: [("Authorization", "Bearer \(Self.apiKey)")]).status
    }

    /// `POST /api_keys/{id}/expire` (now); the status.
    @discardableResult
    func expireApiKey(_ id: String) throws -> Int {
        try request("POST", "/api_keys/\(id)/expire", json: "{}", headers: [("Authorization", "Bearer \(Self.apiKey)")]).status
    }
}
