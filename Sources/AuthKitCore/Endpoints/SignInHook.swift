import AuthKitCrypto

/// authkit's `onSuccess` for sites without code: after a successful sign-in, POST what
/// authkit-nextjs hands `onSuccess` to `AUTHKIT_ON_SUCCESS_URL`, signed so the receiver can
/// tell it came from us:
///
///     X-AuthKit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
///
/// A failing hook is logged and does not block sign-in unless `required` is set.
public struct SignInHook: Sendable {
    public let url: String
    public let required: Bool
    private let secret: [UInt8]
    private let transport: any HTTPTransport
    private let clock: any Clock

    public init(url: String, secret: String, required: Bool, transport: any HTTPTransport, clock: any Clock) {
        self.url = url
        self.secret = Array(secret.utf8)
        self.required = required
        self.transport = transport
        self.clock = clock
    }

    /// The JSON body: `{user, organizationId, authenticationMethod, oauthTokens, impersonator, state}`.
    static func body(_ response: AuthenticationResponse, customState: String?) -> JSONValue {
        .object([
            ("user", response.user.json),
            ("organizationId", response.organizationId.map(JSONValue.string) ?? .null),
            ("authenticationMethod", response.authenticationMethod.map(JSONValue.string) ?? .null),
            ("oauthTokens", response.oauthTokens ?? .null),
            ("impersonator", response.impersonator.map { .object([("email", .string($0.email)), ("reason", $0.reason.map(JSONValue.string) ?? .null)]) } ?? .null),
            ("state", customState.map(JSONValue.string) ?? .null),
        ])
    }

    /// `t=…,v1=…` for a body sent at `timestamp`.
    public static func signature(secret: [UInt8], timestamp: Int64, body: [UInt8]) -> String {
        let signed = Array("\(timestamp).".utf8) + body
        return "t=\(timestamp),v1=\(Hex.encode(Digest.hmacSHA256(key: secret, data: signed)))"
    }

    /// Sends the hook; nil on success, else why it failed (safe to log).
    func send(_ response: AuthenticationResponse, customState: String?) -> String? {
        let body = JSONWriter.bytes(Self.body(response, customState: customState))
        let request = HTTPRequest(method: "POST", url: url, headers: [
            ("Content-Type", "application/json"),
            ("X-AuthKit-Signature", Self.signature(secret: secret, timestamp: clock.nowSeconds(), body: body)),
        ], body: body)
        do {
            let answer = try transport.send(request)
            return (200...299).contains(answer.status) ? nil : "hook answered HTTP \(answer.status)"
        } catch {
            return "hook unreachable: \(error)"
        }
    }
}
