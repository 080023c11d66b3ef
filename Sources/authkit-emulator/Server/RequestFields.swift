import Foundation
import Hummingbird

/// Reading parameters: query strings, JSON bodies and form bodies all become `[String: String]`
/// (WorkOS accepts JSON and `application/x-www-form-urlencoded` on its POST endpoints).
extension Request {
    /// The body's fields and its raw bytes (for idempotency-key comparison). Non-string JSON
    /// scalars become their text (`true`, `5`); nested values are ignored.
    mutating func bodyFields(context: EmulatorContext) async throws -> (fields: [String: String], raw: [UInt8]) {
        let buffer = try await collectBody(upTo: context.maxUploadSize)
        let raw = Array(buffer.readableBytesView)
        if headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            return (FormEncoding.decode(String(decoding: raw, as: UTF8.self)), raw)
        }
        return (JSONValue.parse(raw).map(Self.flatten) ?? [:], raw)
    }

    /// The body as JSON (control endpoints); `{}` when empty, nil when it is not JSON.
    mutating func bodyJSON(context: EmulatorContext) async throws -> JSONValue? {
        let buffer = try await collectBody(upTo: context.maxUploadSize)
        if buffer.readableBytes == 0 { return .object([:]) }
        return JSONValue.parse(Array(buffer.readableBytesView))
    }

    /// Query parameters, form-decoded; the first value of each name.
    var queryFields: [String: String] { FormEncoding.decode(uri.query ?? "") }

    /// The key from `Authorization: Bearer …`.
    var bearerToken: String? {
        guard let value = headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    private static func flatten(_ json: JSONValue) -> [String: String] {
        var fields: [String: String] = [:]
        for (key, value) in json.objectValue ?? [:] {
            switch value {
            case .string(let string): fields[key] = string
            case .int(let int): fields[key] = String(int)
            case .double(let double): fields[key] = String(double)
            case .bool(let bool): fields[key] = String(bool)
            default: break
            }
        }
        return fields
    }
}

/// `application/x-www-form-urlencoded` and query strings.
enum FormEncoding {
    /// Decodes `a=1&b=x+y`; `+` is a space, the first value of a repeated name wins.
    static func decode(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = unescape(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? unescape(parts[1]) : "" }
        }
        return fields
    }

    /// Percent-encodes everything but RFC 3986 unreserved characters, so a value such as an
    /// iron-sealed `state` comes back byte for byte.
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// `url` with `items` appended to its query (before any fragment).
    static func appending(_ items: [(String, String)], to url: String) -> String {
        let (base, fragment) = url.firstIndex(of: "#").map { (String(url[..<$0]), String(url[$0...])) } ?? (url, "")
        let query = items.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
        guard !query.isEmpty else { return url }
        let separator = base.contains("?") ? (base.hasSuffix("?") || base.hasSuffix("&") ? "" : "&") : "?"
        return base + separator + query + fragment
    }

    private static func unescape(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
