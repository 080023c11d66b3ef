import AuthKitCore
import AuthKitFastCGI

/// Builds an ``AuthRequest`` from CGI/FastCGI parameters (RFC 3875 meta-variables).
///
/// Client headers arrive as `HTTP_*`; everything else is the server's. Only `AUTHKIT_*`
/// parameters become location settings, and a client can never supply one: a request header
/// `AuthKit-Action` arrives as `HTTP_AUTHKIT_ACTION`, which is a header, not a parameter.
///
/// After an Apache internal redirect (an `Action` handler or an `ErrorDocument`, where
/// `REDIRECT_STATUS` is set), the original request's variables arrive renamed `REDIRECT_*`:
/// `REDIRECT_AUTHKIT_REQUIRE_ROLE` is the protected location's requirement. Those count as
/// settings too, under the current location's own `AUTHKIT_*`. `REQUEST_URI` is already the
/// original request's.
public enum GatewayRequest {
    public static func make(parameters: [String: String], body: [UInt8]) -> AuthRequest {
        var headers: [String: String] = [:]
        var settings: [String: String] = [:]
        var original: [String: String] = [:]
        for (name, value) in parameters {
            // Prefixes on the bytes: `HTTP_\u{301}X` starts with `HTTP_` though its fifth Character is `_\u{301}`.
            if name.hasBytePrefix("HTTP_") {
                headers[headerName(fromParameter: name)] = value
            } else if name.hasBytePrefix("AUTHKIT_") {
                settings[name] = value
            } else if name.hasBytePrefix("REDIRECT_AUTHKIT_") {
                original[String(decoding: name.utf8.dropFirst("REDIRECT_".utf8.count), as: UTF8.self)] = value
            }
        }
        return assemble(headers: headers, settings: settings, original: original, parameters: parameters, body: body)
    }

    /// The server's own variables the gateway reads, besides headers (`HTTP_*`) and settings
    /// (`AUTHKIT_*`, `REDIRECT_AUTHKIT_*`): the request line and type, Apache's redirect and
    /// roles, the request id and the client address.
    static let serverVariables: [StaticString] = [
        "REQUEST_METHOD", "REQUEST_URI", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "CONTENT_TYPE", "REDIRECT_STATUS",
        "REQUEST_ID", "UNIQUE_ID", "FCGI_ROLE", "FCGI_APACHE_ROLE", "REMOTE_ADDR",
    ]

    /// ``make(parameters:body:)`` straight from libfcgi's parameters, in one pass over their
    /// bytes, without copying every parameter into a dictionary first (this runs for every
    /// check the session cache cannot answer). Also returns the ``serverVariables`` that were
    /// sent, for the rest of the gateway.
    public static func make(parameters: FastCGIParameters, body: [UInt8]) -> (request: AuthRequest, server: [String: String]) {
        var headers: [String: String] = [:]
        headers.reserveCapacity(16)
        var settings: [String: String] = [:]
        var original: [String: String] = [:]
        var server: [String: String] = [:]
        server.reserveCapacity(serverVariables.count)
        // A value becomes a String only when it is kept: most of a request's ~30 parameters
        // (DOCUMENT_ROOT, SERVER_SOFTWARE, …) are not, and each copy would cost an allocation.
        parameters.forEach { name, value in
            // By first letter, so that most names are compared once.
            switch name.first {
            case UInt8(ascii: "H") where FastCGIParameters.has(name, prefix: "HTTP_"):
                headers[headerName(fromParameter: name)] = String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "A") where FastCGIParameters.has(name, prefix: "AUTHKIT_"):
                settings[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "R") where FastCGIParameters.has(name, prefix: "REDIRECT_AUTHKIT_"):
                original[String(decoding: UnsafeBufferPointer(rebasing: name[("REDIRECT_".utf8.count)...]), as: UTF8.self)] =
                    String(decoding: value, as: UTF8.self)
            default:
                if serverVariables.contains(where: { FastCGIParameters.equals(name, $0) }) {
                    server[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
                }
            }
        }
        return (assemble(headers: headers, settings: settings, original: original, parameters: server, body: body), server)
    }

    /// After an Apache internal redirect the original location's settings count too, under the
    /// current location's own.
    private static func assemble(
        headers: [String: String], settings: [String: String], original: [String: String], parameters: [String: String], body: [UInt8]
    ) -> AuthRequest {
        var headers = headers
        var settings = settings
        var original = original
        // The original request's served path is not a setting of this one: kept apart for the
        // ErrorDocument and Action handlers that check the original request.
        let originalServedPath = original.removeValue(forKey: AuthRequest.servedPathParameter)
        let redirected = parameters["REDIRECT_STATUS"] != nil
        if redirected { settings.merge(original) { current, _ in current } }
        if let type = parameters["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }
        let method = parameters["REQUEST_METHOD"] ?? "GET"
        var request = AuthRequest(method: method, requestURI: requestURI(parameters), headers: headers, parameters: settings, body: body)
        if redirected { request.originalServedPath = originalServedPath }
        return request
    }

    /// `HTTP_X_REQUESTED_WITH` → `x-requested-with`, on the bytes (this runs for every header).
    static func headerName(fromParameter name: String) -> String {
        var name = name
        return name.withUTF8 { headerName(fromParameter: $0) }
    }

    /// The same, from the parameter name's bytes.
    static func headerName(fromParameter name: UnsafeBufferPointer<UInt8>) -> String {
        let count = max(name.count - 5, 0)
        return String(unsafeUninitializedCapacity: count) { out in
            for index in 0..<count {
                let byte = name[index + 5]
                out[index] = byte == UInt8(ascii: "_") ? UInt8(ascii: "-") : (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            }
            return count
        }
    }

    /// `REQUEST_URI` when the server passes it (nginx, Apache); else rebuilt from
    /// `SCRIPT_NAME` + `PATH_INFO` + `QUERY_STRING` as plain CGI defines them.
    static func requestURI(_ parameters: [String: String]) -> String {
        if let uri = parameters["REQUEST_URI"], !uri.isEmpty { return uri }
        let path = (parameters["SCRIPT_NAME"] ?? "") + (parameters["PATH_INFO"] ?? "")
        let query = parameters["QUERY_STRING"] ?? ""
        return (path.isEmpty ? "/" : path) + (query.isEmpty ? "" : "?" + query)
    }
}
