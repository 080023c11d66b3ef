#if canImport(Glibc)
import Glibc
#endif

extension StringProtocol {
    /// The UTF-8 bytes as an array, copied in one go. `Array(text.utf8)` copies byte by byte
    /// for substrings, which showed up in profiles of the cookie path.
    var utf8Array: [UInt8] {
        if let copied = utf8.withContiguousStorageIfAvailable({ Array($0) }) { return copied }
        var text = String(self)
        return text.withUTF8 { Array($0) }
    }

    /// Index of the first `byte`, searched over contiguous storage with memchr.
    public func firstUTF8Index(of byte: UInt8) -> String.Index? {
        let offset: Int?? = utf8.withContiguousStorageIfAvailable { buffer in buffer.firstOffset(of: byte) }
        switch offset {
        case .some(.some(let offset)): return utf8.index(utf8.startIndex, offsetBy: offset)
        case .some(.none): return nil
        case .none: return utf8.firstIndex(of: byte)
        }
    }
}

extension UnsafeBufferPointer<UInt8> {
    /// Offset of the first `byte` at or after `start`, found with memchr: a seal or a session
    /// cookie is kilobytes long, and a Swift loop over it costs several instructions a byte.
    func firstOffset(of byte: UInt8, from start: Int = 0) -> Int? {
        guard let base = baseAddress, start < count, let found = memchr(base + start, Int32(byte), count - start) else { return nil }
        return UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base
    }
}
