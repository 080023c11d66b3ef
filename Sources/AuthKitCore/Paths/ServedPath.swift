/// The paths a check decides on, read on UTF-8 bytes, never on `Character`s (a combining mark
/// or a joiner after `/` or `.` would be glued onto it as one grapheme cluster, and a segment
/// split on `"/"` would lose a separator).
///
/// Two readings, and a path rule (`WORKOS_UNAUTHENTICATED_PATHS`) holds only when it holds for
/// both:
/// - ``server(_:)``: the path the web server maps to a file or location, as it sends it
///   (nginx `$uri`, Apache `r->uri`, both decoded and dot-resolved: `AUTHKIT_SERVED_PATH`).
///   This is the truth for what a static file or FastCGI location serves.
/// - ``target(_:)``: a strict reading of the raw request target (`REQUEST_URI`), which a
///   proxied upstream (`proxy_pass`, `ProxyPass`) receives and normalises its own way.
///   Anything it cannot read with certainty is refused (``Refusal``): the check answers 400.
///
/// Both return the path re-encoded the way a browser sends it (each segment with
/// ``PercentEncoding/pathSegment(_:)``, so the result is printable ASCII), which is what
/// authkit-nextjs's patterns are matched against.
public enum ServedPath {
    /// Why a path cannot be read with certainty.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not origin-form (`/…`): empty, `*`, or an absolute URL.
        case notOriginForm
        /// A raw byte no client sends unencoded: controls, space, DEL, `#`, `\`, or beyond ASCII.
        case rawByte(UInt8)
        /// `%` not followed by two hex digits.
        case badEscape
        /// `%2F`, `%5C` or `%00`: servers and upstreams disagree on what they mean.
        case encodedSeparator(UInt8)
        /// A control character once decoded.
        case controlCharacter(UInt8)
        /// Decoded bytes that are not UTF-8 (overlong forms, surrogates, stray continuations).
        case invalidUTF8
        /// `..` above the root.
        case aboveRoot
        /// A server path that still holds `.` or `..` segments: the server did not resolve it.
        case unresolvedDots

        public var description: String {
            switch self {
            case .notOriginForm: "the request target is not a path"
            case .rawByte(let byte): "raw byte 0x\(hex(byte)) in the request target"
            case .badEscape: "a % not followed by two hex digits"
            case .encodedSeparator(let byte): "an encoded 0x\(hex(byte)) (slash, backslash or NUL)"
            case .controlCharacter(let byte): "control character 0x\(hex(byte)) in the path"
            case .invalidUTF8: "the decoded path is not UTF-8"
            case .aboveRoot: "a .. segment above the root"
            case .unresolvedDots: "the server's path still has dot segments"
            }
        }

        private func hex(_ byte: UInt8) -> String {
            let digits = Array("0123456789ABCDEF".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
        }
    }

    /// The raw request target, read strictly: its path decoded, `.`/`..` resolved and repeated
    /// slashes merged (as nginx and Apache do by default), re-encoded. The query is not part of
    /// the path, but the whole target is checked for raw bytes (a raw `#` anywhere is refused:
    /// nginx cuts its `$uri` there while upstreams may not).
    public static func target<Bytes: Collection<UInt8>>(_ requestTarget: Bytes) -> Result<String, Refusal> {
        guard requestTarget.first == UInt8(ascii: "/") else { return .failure(.notOriginForm) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(requestTarget.count)
        var index = requestTarget.startIndex
        var inQuery = false
        while index != requestTarget.endIndex {
            let byte = requestTarget[index]
            requestTarget.formIndex(after: &index)
            if byte <= 0x20 || byte >= 0x7F || byte == UInt8(ascii: "#") || byte == UInt8(ascii: "\\") { return .failure(.rawByte(byte)) }
            if inQuery { continue }
            if byte == UInt8(ascii: "?") {
                inQuery = true
                continue
            }
            guard byte == UInt8(ascii: "%") else {
                decoded.append(byte)
                continue
            }
            guard index != requestTarget.endIndex, let high = PercentEncoding.hexValue(requestTarget[index]) else { return .failure(.badEscape) }
            requestTarget.formIndex(after: &index)
            guard index != requestTarget.endIndex, let low = PercentEncoding.hexValue(requestTarget[index]) else { return .failure(.badEscape) }
            requestTarget.formIndex(after: &index)
            let value = high << 4 | low
            if value == 0 || value == UInt8(ascii: "/") || value == UInt8(ascii: "\\") { return .failure(.encodedSeparator(value)) }
            if value < 0x20 || value == 0x7F { return .failure(.controlCharacter(value)) }
            decoded.append(value)
        }
        return resolve(decoded, dotsAllowed: true)
    }

    /// The path the server says it serves (decoded, dot-resolved by the server), re-encoded.
    /// Refused when it is not absolute, holds a control character or NUL, or still has dot
    /// segments (then the server did not resolve it and what it serves is unclear).
    public static func server<Bytes: Collection<UInt8>>(_ path: Bytes) -> Result<String, Refusal> {
        guard path.first == UInt8(ascii: "/") else { return .failure(.notOriginForm) }
        for byte in path where byte < 0x20 || byte == 0x7F { return .failure(.controlCharacter(byte)) }
        return resolve(Array(path), dotsAllowed: false)
    }

    /// `decoded` starts with `/`. Splits at `/` bytes, merges empty segments (keeping a trailing
    /// slash), resolves dot segments, checks UTF-8 and re-encodes each segment.
    private static func resolve(_ decoded: [UInt8], dotsAllowed: Bool) -> Result<String, Refusal> {
        guard validUTF8(decoded) else { return .failure(.invalidUTF8) }
        var segments: [ArraySlice<UInt8>] = []
        var start = decoded.startIndex + 1
        var trailingSlash = false
        while true {
            let end = decoded[start...].firstIndex(of: UInt8(ascii: "/")) ?? decoded.endIndex
            let segment = decoded[start..<end]
            let last = end == decoded.endIndex
            if segment.elementsEqual([UInt8(ascii: ".")]) || segment.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                guard dotsAllowed else { return .failure(.unresolvedDots) }
                if segment.count == 2 {
                    guard !segments.isEmpty else { return .failure(.aboveRoot) }
                    segments.removeLast()
                }
                if last { trailingSlash = true }
            } else if segment.isEmpty {
                if last { trailingSlash = true }
            } else {
                segments.append(segment)
                trailingSlash = false
            }
            if last { break }
            start = end + 1
        }
        var out = "/"
        for (offset, segment) in segments.enumerated() {
            if offset > 0 { out += "/" }
            out += PercentEncoding.pathSegment(bytes: segment)
        }
        if trailingSlash && !segments.isEmpty { out += "/" }
        return .success(out)
    }

    private static func validUTF8(_ bytes: [UInt8]) -> Bool {
        String(validating: bytes, as: UTF8.self) != nil
    }
}
