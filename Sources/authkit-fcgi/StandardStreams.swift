import AuthKitCore
import Glibc

/// stdin, stdout and stderr as bytes, with write(2) and read(2): all a CGI answer and a
/// start-up error need (Foundation's `FileHandle` would bring Foundation into the process).
enum StandardStreams {
    /// Writes all of `bytes` to `descriptor` (``Descriptor/writeAll(_:to:)``).
    static func write(_ bytes: [UInt8], to descriptor: Int32 = STDOUT_FILENO) {
        Descriptor.writeAll(bytes, to: descriptor)
    }

    /// Reads up to `count` bytes from stdin (fewer at end of input).
    static func readInput(count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress! + filled, count - filled) }
            if got > 0 {
                filled += got
            } else if got < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        return Array(bytes[..<filled])
    }
}
