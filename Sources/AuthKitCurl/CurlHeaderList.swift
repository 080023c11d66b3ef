import AuthKitCore
import CCurl

/// The request's header fields as a `curl_slist`, freed when this value goes away.
///
/// Besides the caller's fields, in their order, it stops libcurl from adding headers of its own
/// that the request did not ask for: `Expect: 100-continue` (an extra round trip before a body)
/// and, for requests with a body, `Content-Type: application/x-www-form-urlencoded`.
struct CurlHeaderList: ~Copyable {
    /// The list to pass as `CURLOPT_HTTPHEADER`; valid while this value lives.
    private(set) var pointer: UnsafeMutablePointer<curl_slist>?

    /// Builds the list.
    /// - Throws: ``HTTPTransportError/other(_:)`` for a field that cannot be sent as given (a
    ///   name that is not an HTTP token, a value with CR, LF or NUL). The message names the
    ///   field's position only, never its name or value, which may carry credentials.
    init(_ fields: [(name: String, value: String)], sendsBody: Bool) throws(HTTPTransportError) {
        pointer = nil
        for (index, field) in fields.enumerated() {
            guard Self.isToken(field.name), Self.isFieldValue(field.value) else {
                throw .other("request header field #\(index + 1) is not valid HTTP")
            }
            // "Name:" would make libcurl drop the field; "Name;" sends it with an empty value.
            try append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        try append("Expect:")
        let hasContentType = fields.contains { $0.name.equalsASCIICaseInsensitive("content-type") }
        if sendsBody && !hasContentType { try append("Content-Type:") }
    }

    deinit { curl_slist_free_all(pointer) }

    private mutating func append(_ line: String) throws(HTTPTransportError) {
        // On failure curl_slist_append returns NULL and leaves the existing list intact.
        guard let extended = curl_slist_append(pointer, line) else {
            throw .other("out of memory building request headers")
        }
        pointer = extended
    }

    /// RFC 9110 `token`: the characters allowed in a field name or method.
    static func isToken(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
            }
        }
    }

    /// A field value that cannot end the header line early or truncate it.
    static func isFieldValue(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0x00 }
    }
}
