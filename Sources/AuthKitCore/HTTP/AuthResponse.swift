// Why not swift-http-types: HTTPFields makes a check's header work 2.2-4.4x slower, +17 % per check, and removes no unsafe code (docs/build-or-buy.md).

/// An answer from the core, translated to FastCGI/CGI output by the executable.
public struct AuthResponse: Sendable, Equatable {
    public var status: Int
    /// Header fields in order; `Set-Cookie` may repeat.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: AuthResponse, rhs: AuthResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body
            && lhs.headers.map { "\($0.name): \($0.value)" } == rhs.headers.map { "\($0.name): \($0.value)" }
    }

    public func header(_ name: String) -> String? {
        headers.first { Self.sameName($0.name, name) }?.value
    }

    public func headers(named name: String) -> [String] {
        headers.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// Header names compared ignoring ASCII case, byte by byte: lower-casing both names made two
    /// Strings per header for every lookup (and an answer has a dozen identity headers).
    static func sameName(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return zip(a.utf8, b.utf8).allSatisfy { x, y in
            x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= UInt8(ascii: "a") && (x | 0x20) <= UInt8(ascii: "z"))
        }
    }

    /// authkit-nextjs's `Cache-Control` on every answer with a session, a session cookie or an
    /// `Authorization` header (`setCachePreventionHeaders`), with the HTTP/1.0 pair beside it.
    public static let cachePreventionControl = "private, no-cache, no-store, must-revalidate, max-age=0"

    /// The headers that keep an answer about a session out of every cache (authkit-nextjs #332):
    /// `Cache-Control` as authkit sends it, `Pragma: no-cache`, `Expires: 0`, and `Vary: Cookie`
    /// (`Cookie, Authorization` when the request had an `Authorization` header, as authkit).
    public static func cachePreventionHeaders(authorization: Bool = false) -> [(name: String, value: String)] {
        [("Cache-Control", cachePreventionControl), ("Pragma", "no-cache"), ("Expires", "0"),
         ("Vary", authorization ? "Cookie, Authorization" : "Cookie")]
    }

    static let cachePreventionNames = ["Cache-Control", "Pragma", "Expires", "Vary"]

    /// Whether a header is one of the four that say how caches may keep the answer.
    public static func isCacheHeader(_ name: String) -> Bool {
        cachePreventionNames.contains { sameName(name, $0) }
    }

    /// Marks this answer as one no cache may keep: replaces any `Cache-Control`, `Pragma`,
    /// `Expires` and `Vary` already there, so each arrives once.
    public mutating func addCachePrevention(authorization: Bool = false) {
        headers.removeAll { Self.isCacheHeader($0.name) }
        headers += Self.cachePreventionHeaders(authorization: authorization)
    }

    public static func redirect(_ location: String, status: Int = 302) -> AuthResponse {
        AuthResponse(status: status, headers: [("Location", location)])
    }

    public static func json(_ status: Int, _ value: JSONValue) -> AuthResponse {
        AuthResponse(status: status, headers: [("Content-Type", "application/json")], body: JSONWriter.bytes(value))
    }

    public static func html(_ status: Int, _ text: String) -> AuthResponse {
        AuthResponse(status: status, headers: [("Content-Type", "text/html; charset=utf-8")], body: Array(text.utf8))
    }
}
