/// Whether the first FastCGI request on a connection has fully arrived, judged from record
/// framing alone: the 8-byte record headers (version, type, requestId, contentLength,
/// paddingLength), never the contents. libfcgi stays the parser; this only decides when a
/// worker can let libfcgi read the request without blocking.
///
/// Complete means: FCGI_BEGIN_REQUEST, every FCGI_PARAMS record up to the empty one, and for a
/// responder (or filter) every FCGI_STDIN record up to the empty one; an authorizer is sent no
/// STDIN (the spec's Authorizer, mod_authnz_fcgi), so its request ends with the empty PARAMS.
/// Records libfcgi skips (management records, other request ids) are stepped over.
enum FirstRequestFraming: Equatable, Sendable {
    /// All of the first request is in `bytes`.
    case complete
    /// A valid prefix: more bytes are needed.
    case incomplete
    /// Framing libfcgi would reject (it would close the connection): close it now.
    case invalid

    private static let beginRequest: UInt8 = 1, params: UInt8 = 4, stdin: UInt8 = 5
    private static let authorizer = 2

    /// Judges a prefix of a connection's input (as peeked, not consumed).
    static func judge(_ bytes: UnsafeRawBufferPointer) -> FirstRequestFraming {
        var offset = 0
        var requestId: Int?
        var isAuthorizer = false
        var paramsEnded = false
        // Each pass steps past one whole record (at least 8 bytes), so this ends by bytes.count / 8.
        while true {
            let (headerEnd, overflow) = offset.addingReportingOverflow(8)
            guard !overflow, headerEnd <= bytes.count else { return .incomplete }
            guard bytes[offset] == 1 else { return .invalid }  // FCGI_VERSION_1, as libfcgi requires
            let type = bytes[offset + 1]
            let id = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            // Both at most 65535 and 255: two bytes and one byte on the wire.
            let contentLength = Int(bytes[offset + 4]) << 8 | Int(bytes[offset + 5])
            let paddingLength = Int(bytes[offset + 6])
            let (recordEnd, overflowEnd) = headerEnd.addingReportingOverflow(contentLength + paddingLength)
            guard !overflowEnd else { return .invalid }
            // A record counts only once all of it (content and padding) is there: libfcgi reads
            // the padding too before it looks at the next header.
            guard recordEnd <= bytes.count else { return .incomplete }

            if type == beginRequest, requestId == nil, id != 0 {
                // FCGI_BeginRequestBody: role (2 bytes), flags, 5 reserved.
                guard contentLength == 8 else { return .invalid }
                let role = Int(bytes[headerEnd]) << 8 | Int(bytes[headerEnd + 1])
                guard (1...3).contains(role) else { return .invalid }
                requestId = id
                isAuthorizer = role == authorizer
            } else if let requestId, id == requestId, type != beginRequest {
                if !paramsEnded {
                    // libfcgi answers any other type here with a protocol error.
                    guard type == params else { return .invalid }
                    if contentLength == 0 {
                        paramsEnded = true
                        if isAuthorizer { return .complete }
                    }
                } else {
                    guard type == stdin else { return .invalid }
                    if contentLength == 0 { return .complete }
                }
            }
            // Anything else (management records, other request ids, a second BEGIN_REQUEST) is
            // answered or skipped by libfcgi without waiting for more input: step over it.
            offset = recordEnd
        }
    }
}
