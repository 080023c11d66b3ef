/// An answer of the emulated WorkOS API, free of HTTP types: the store's handlers return these
/// and `Response(_:)` puts them on the wire.
///
/// ```swift
/// APIReply.oauthError("invalid_grant", "Refresh token already exchanged.")  // 400, OAuth shape
/// APIReply.error(404, code: "entity_not_found", message: "Session not found.")  // {code, message}
/// ```
struct APIReply: Sendable, Equatable {
    var status: Int
    var body: JSONValue
    var headers: [String: String] = [:]

    static func ok(_ body: JSONValue) -> APIReply { APIReply(status: 200, body: body) }

    /// WorkOS's OAuth-style error: `{"error":…,"error_description":…}`, 400 unless told.
    static func oauthError(_ code: String, _ description: String, status: Int = 400) -> APIReply {
        APIReply(status: status, body: ["error": .string(code), "error_description": .string(description)])
    }

    /// WorkOS's other error shape: `{"code":…,"message":…}`.
    static func error(_ status: Int, code: String, message: String) -> APIReply {
        APIReply(status: status, body: ["code": .string(code), "message": .string(message)])
    }
}
