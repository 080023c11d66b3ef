/// Base64url (RFC 4648 §5) without padding, as iron and JWT write it.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let decodeTable: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = Int8(index) }
        return table
    }()

    /// Encodes bytes without `=` padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        String(decoding: encodeBytes(bytes), as: UTF8.self)
    }

    /// Encodes bytes without `=` padding, as ASCII bytes.
    public static func encodeBytes(_ bytes: [UInt8]) -> [UInt8] {
        let outputCount = (bytes.count * 4 + 2) / 3
        return alphabet.withUnsafeBufferPointer { table in
            bytes.withUnsafeBufferPointer { input in
                [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
                    var i = 0
                    var o = 0
                    while i + 3 <= input.count {
                        let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                        out[o] = table[Int(n >> 18 & 63)]
                        out[o + 1] = table[Int(n >> 12 & 63)]
                        out[o + 2] = table[Int(n >> 6 & 63)]
                        out[o + 3] = table[Int(n & 63)]
                        i += 3
                        o += 4
                    }
                    let rest = input.count - i
                    if rest > 0 {
                        let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
                        out[o] = table[Int(n >> 18 & 63)]
                        out[o + 1] = table[Int(n >> 12 & 63)]
                        o += 2
                        if rest == 2 {
                            out[o] = table[Int(n >> 6 & 63)]
                            o += 1
                        }
                    }
                    initialized = o
                }
            }
        }
    }

    /// Decodes unpadded base64url. Returns nil on any character outside the alphabet (padding
    /// included) or on an impossible length; iron's decoder rejects those too.
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(bytes: $0) }
    }

    /// Decodes unpadded base64url from a substring without copying it first.
    public static func decode(_ text: Substring) -> [UInt8]? {
        var text = text
        return text.withUTF8 { decode(bytes: $0) }
    }

    /// Decodes unpadded base64url from raw ASCII bytes.
    public static func decode(bytes input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        if count % 4 == 1 { return nil }
        return decodeTable.withUnsafeBufferPointer { table -> [UInt8]? in
            var valid = true
            let result = [UInt8](unsafeUninitializedCapacity: count * 3 / 4 + 1) { out, initialized in
                var accumulator: UInt32 = 0
                var bits: UInt32 = 0
                var o = 0
                for byte in input {
                    let value = table[Int(byte)]
                    if value < 0 {
                        valid = false
                        break
                    }
                    accumulator = accumulator << 6 | UInt32(value)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        out[o] = UInt8(truncatingIfNeeded: accumulator >> bits)
                        o += 1
                    }
                }
                // Leftover bits are ignored, as Node's and iron's decoders do.
                initialized = o
            }
            return valid ? result : nil
        }
    }
}

/// Lowercase hexadecimal, as iron renders its salts.
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
