import CCurl

/// Collects the final response's header fields and body while `curl_easy_perform` runs.
///
/// libcurl calls the header callback once per header line, status lines included. Every status
/// line (`HTTP/1.1 103 Early Hints`, `HTTP/1.1 100 Continue`, a proxy's `CONNECT` answer, then
/// the final response) starts afresh, so only the final response's fields remain.
final class CurlResponseCollector {
    private(set) var headers: [(name: String, value: String)] = []
    private(set) var body: [UInt8] = []

    /// The value to pass as `CURLOPT_WRITEDATA` / `CURLOPT_HEADERDATA`. Not retained: the caller
    /// keeps the collector alive (`withExtendedLifetime`) until `curl_easy_perform` returns.
    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ opaque: UnsafeMutableRawPointer) -> CurlResponseCollector {
        Unmanaged<CurlResponseCollector>.fromOpaque(opaque).takeUnretainedValue()
    }

    func appendBody(_ bytes: UnsafeRawBufferPointer) {
        body.append(contentsOf: bytes)
    }

    /// One raw header line, with its CRLF.
    func receiveHeaderLine(_ bytes: UnsafeRawBufferPointer) {
        var line = bytes[...]
        while let last = line.last, last == 0x0D || last == 0x0A { line = line.dropLast() }
        if line.starts(with: "HTTP/".utf8) {
            headers.removeAll()
            body.removeAll()
            return
        }
        guard let first = line.first else { return }  // the blank line ending a header block
        if first == 0x20 || first == 0x09 {
            // obs-fold: a continuation of the previous field's value.
            guard !headers.isEmpty else { return }
            let more = Self.trimmed(line)
            if !more.isEmpty { headers[headers.count - 1].value += " " + Self.text(more) }
            return
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return }
        headers.append((Self.text(Self.trimmed(line[..<colon])), Self.text(Self.trimmed(line[(colon + 1)...]))))
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        var bytes = bytes
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes = bytes.dropFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes = bytes.dropLast() }
        return bytes
    }

    private static func text(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

/// The C signature libcurl expects for `CURLOPT_WRITEFUNCTION` and `CURLOPT_HEADERFUNCTION`.
typealias CurlDataCallback = @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int

/// `CURLOPT_WRITEFUNCTION`: a piece of the response body.
let curlWriteBody: CurlDataCallback = { data, size, count, context in
    // Checked: a product that overflows answers 0, which makes libcurl stop (CURLE_WRITE_ERROR).
    let (length, overflowed) = size.multipliedReportingOverflow(by: count)
    guard !overflowed else { return 0 }
    guard let data, let context, length > 0 else { return length }
    CurlResponseCollector.from(context).appendBody(UnsafeRawBufferPointer(start: data, count: length))
    return length
}

/// `CURLOPT_HEADERFUNCTION`: one complete header line.
let curlReceiveHeader: CurlDataCallback = { data, size, count, context in
    let (length, overflowed) = size.multipliedReportingOverflow(by: count)
    guard !overflowed else { return 0 }
    guard let data, let context else { return length }
    CurlResponseCollector.from(context).receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
    return length
}
