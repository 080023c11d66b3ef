import AuthKitCrypto

/// Signs the hooks we POST (sign-in, refresh), so the receiver can tell they came from us:
///
///     X-AuthKit-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
///
/// The receiver recomputes the HMAC over `"<t>.<body>"` and refuses an old `t`.
public struct HookSigner: Sendable {
    private let secret: [UInt8]
    private let clock: any WallClock

    public init(secret: String, clock: any WallClock) {
        self.secret = Array(secret.utf8)
        self.clock = clock
    }

    /// `t=…,v1=…` for a body sent at `timestamp`.
    public static func signature(secret: [UInt8], timestamp: Int64, body: [UInt8]) -> String {
        let signed = Array("\(timestamp).".utf8) + body
        return "t=\(timestamp),v1=\(Hex.encode(Digest.hmacSHA256(key: secret, data: signed)))"
    }

    /// The signed POST of a JSON body to `url`, stamped now.
    public func request(url: String, json: JSONValue) -> HTTPRequest {
        let body = JSONWriter.bytes(json)
        return HTTPRequest(method: "POST", url: url, headers: [
            ("Content-Type", "application/json"),
            ("X-AuthKit-Signature", Self.signature(secret: secret, timestamp: clock.nowSeconds(), body: body)),
        ], body: body)
    }
}
