#if canImport(Glibc)
import Glibc
#endif

/// A request's FastCGI parameters as libfcgi holds them (`NAME=VALUE` C strings), read in place.
///
/// Only valid while the request is being served: the bytes belong to libfcgi and are freed by
/// `FCGX_Finish_r`. Copy what must outlive the request (``dictionary()`` copies everything).
public struct FastCGIParameters {
    private let environment: UnsafePointer<UnsafeMutablePointer<CChar>?>?

    /// - Parameter environment: a NULL-terminated array of `NAME=VALUE` strings (`FCGX_Request.envp`).
    public init(environment: UnsafePointer<UnsafeMutablePointer<CChar>?>?) {
        self.environment = environment
    }

    /// Calls `body` with each parameter's name and value bytes, in the order the server sent them.
    public func forEach(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) {
        guard var entry = environment else { return }
        while let pointer = entry.pointee {
            let length = strlen(pointer)
            pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
                // memchr: a Swift loop over the bytes costs several instructions each.
                if let found = memchr(bytes, Int32(UInt8(ascii: "=")), length) {
                    let equals = found.assumingMemoryBound(to: UInt8.self) - bytes
                    body(UnsafeBufferPointer(start: bytes, count: equals), UnsafeBufferPointer(start: bytes + equals + 1, count: length - equals - 1))
                }
            }
            entry += 1
        }
    }

    /// Every parameter, copied; a repeated name keeps its last value.
    public func dictionary() -> [String: String] {
        var parameters: [String: String] = [:]
        parameters.reserveCapacity(48)
        forEach { name, value in
            parameters[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        return parameters
    }

    /// The last value of `name`, copied.
    public func value(_ name: StaticString) -> String? {
        var found: UnsafeBufferPointer<UInt8>?
        forEach { candidate, value in
            if Self.equals(candidate, name) { found = value }
        }
        return found.map { String(decoding: $0, as: UTF8.self) }
    }

    // Name comparisons against StaticString: no allocation and no lazy global initialisation on
    // the hot path (this runs for every parameter of every request).

    /// `bytes` is exactly `text`.
    public static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard let base = bytes.baseAddress, bytes.count == text.utf8CodeUnitCount else { return false }
        return memcmp(base, text.utf8Start, bytes.count) == 0
    }

    /// `bytes` starts with `prefix`.
    public static func has(_ bytes: UnsafeBufferPointer<UInt8>, prefix: StaticString) -> Bool {
        guard let base = bytes.baseAddress, bytes.count >= prefix.utf8CodeUnitCount else { return false }
        return memcmp(base, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    /// `bytes` equals the lower-case `expected`, ignoring ASCII case.
    static func equalsIgnoringCase(_ bytes: UnsafeBufferPointer<UInt8>, _ expected: StaticString) -> Bool {
        guard bytes.count == expected.utf8CodeUnitCount else { return false }
        for offset in 0..<bytes.count where bytes[offset] | 0x20 != expected.utf8Start[offset] { return false }
        return true
    }

    /// Runs `body` with parameters built from `pairs` (tests and CGI, where there is no libfcgi).
    public static func with<Result>(_ pairs: [(String, String)], _ body: (FastCGIParameters) -> Result) -> Result {
        let strings = pairs.map { strdup("\($0.0)=\($0.1)") }
        defer { strings.forEach { free($0) } }
        return (strings + [nil]).withUnsafeBufferPointer { body(FastCGIParameters(environment: $0.baseAddress)) }
    }
}
