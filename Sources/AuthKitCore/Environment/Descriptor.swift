#if canImport(Glibc)
import Glibc
#endif

/// Whole writes to a file descriptor with write(2), without Foundation.
public enum Descriptor {
    /// Writes all of `bytes` to `descriptor`, retrying short writes and EINTR; gives up silently
    /// on any other error (a closed stderr must not stop a request). One write(2) when it can, so
    /// a line from one thread is not interleaved with another's.
    public static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
