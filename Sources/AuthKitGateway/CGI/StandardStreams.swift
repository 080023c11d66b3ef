import AuthKitCore
import Glibc

/// stdin, stdout and stderr as bytes, with write(2) and read(2): all a CGI answer and a
/// start-up error need (Foundation's `FileHandle` would bring Foundation into the process).
public enum StandardStreams {
    /// Writes all of `bytes` to `descriptor` (``Descriptor/writeAll(_:to:)``).
    public static func write(_ bytes: [UInt8], to descriptor: Int32 = STDOUT_FILENO) {
        Descriptor.writeAll(bytes, to: descriptor)
    }

    /// Reads up to `count` bytes from stdin (fewer at end of input).
    public static func readInput(count: Int) -> [UInt8] {
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

    /// Reads and drops up to `count` bytes of stdin: a request body nobody will read.
    ///
    /// A CGI program that answers without reading the body leaves it unread in the socket to
    /// the server, and closing a socket with unread input resets it: Apache's mod_cgid then
    /// loses the answer ("Connection reset by peer", a truncated response). Bodies beyond
    /// `limit` are left; the server sees the reset then, as it would with any CGI program.
    public static func discardInput(count: Int, limit: Int = 16 << 20) {
        var left = min(max(count, 0), limit)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16_384) { scratch in
            while left > 0 {
                let got = read(STDIN_FILENO, scratch.baseAddress!, min(left, scratch.count))
                if got > 0 {
                    left -= got
                } else if got < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }

    /// Ends stdout (the answer is complete), keeping fd 1 open on /dev/null so a later write
    /// cannot land in a file opened meanwhile. The server sees end of output at once.
    public static func closeOutput() {
        let null = open("/dev/null", O_WRONLY)
        guard null >= 0 else { return close(STDOUT_FILENO) == 0 ? () : () }
        dup2(null, STDOUT_FILENO)
        close(null)
    }
}
