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
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    public func headers(named name: String) -> [String] {
        let wanted = name.lowercased()
        return headers.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// Every answer about a session must stay out of shared caches (authkit-nextjs #332).
    public mutating func addCachePrevention() {
        headers.append(("Cache-Control", "private, no-store"))
        headers.append(("Vary", "Cookie"))
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
