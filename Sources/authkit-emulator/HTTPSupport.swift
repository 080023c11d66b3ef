import Foundation
import Hummingbird
import HTTPTypes
import NIOCore

/// The emulator's request context: Hummingbird's basics plus the channel, so an injected
/// fault can drop the connection.
struct EmulatorContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Building responses and reading request bodies.
enum Reply {
    static func json(_ status: HTTPResponse.Status, _ object: Any, headers: [String: String] = [:]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func html(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .found, headers: [.location: location])
    }

    static func oauthError(_ code: String, _ description: String, status: HTTPResponse.Status = .badRequest) -> Response {
        json(status, ["error": code, "error_description": description])
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

extension Request {
    /// The body as fields: JSON objects and form bodies both accepted.
    mutating func fields(context: EmulatorContext) async throws -> (fields: [String: String], raw: [UInt8]) {
        let buffer = try await collectBody(upTo: 1 << 20)
        let raw = Array(buffer.readableBytesView)
        if headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") == true {
            return (Self.formFields(String(decoding: raw, as: UTF8.self)), raw)
        }
        guard !raw.isEmpty, let object = try? JSONSerialization.jsonObject(with: Data(raw)) as? [String: Any] else { return ([:], raw) }
        var fields: [String: String] = [:]
        for (key, value) in object {
            if let string = value as? String { fields[key] = string } else if let number = value as? NSNumber { fields[key] = number.stringValue }
        }
        return (fields, raw)
    }

    /// Query parameters, form-decoded; the first value of each name.
    var query: [String: String] { Self.formFields(uri.query ?? "") }

    static func formFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }

    func bearerToken() -> String? {
        guard let value = headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst(7))
    }
}

/// Appends a query parameter to a URL.
func appendingQuery(_ url: String, _ items: [(String, String)]) -> String {
    guard var components = URLComponents(string: url) else { return url }
    let existing = components.queryItems ?? []
    components.queryItems = existing + items.map { URLQueryItem(name: $0.0, value: $0.1) }
    // URLComponents leaves `+` alone in queries; encode it so it does not read as a space.
    let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
    components.percentEncodedQuery = encoded
    return components.string ?? url
}
