// Why not swift-extras-base64: a check's decodes are 1.42x slower there (+1.8 % per check, inside the 2 % rule) and it accepts `=` padding iron refuses; adoption is the integrator's call (docs/build-or-buy.md).

/// Base64url (RFC 4648 §5) without padding, as iron and JWT write it.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    /// Decoding tables for a step of 8 characters: 256 entries for each position in the step.
    /// Why: an entry holds the character's 6 bits already shifted to their place in a big-endian
    /// UInt64 (position 0 at bits 58...63, position 7 at bits 16...21), so a step is 8 lookups
    /// OR-ed together and one 8-byte store of 6 output bytes, with no shifts. A byte outside the
    /// alphabet maps to 0xFFFF, bits that only reach the 2 bytes past the output, so OR-ing every
    /// step's word and testing those bits once at the end refuses it. 16 KB; a decode reads ~5.
    private static let stepTables: [UInt64] = {
        var tables = [UInt64](repeating: 0xFFFF, count: 8 * 256)
        for position in 0..<8 {
            for (value, byte) in alphabet.enumerated() {
                tables[position * 256 + Int(byte)] = UInt64(value) << (58 - 6 * position)
            }
        }
        return tables
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

    /// Decodes unpadded base64url from raw ASCII bytes, 8 characters to 6 bytes per step; nil
    /// on the same inputs as `decode(_:)`.
    ///
    ///     "Zm9vYmE".utf8 → [0x66, 0x6F, 0x6F, 0x62, 0x61]  ("fooba")
    public static func decode(bytes input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = input.count
        if count % 4 == 1 { return nil }
        // Leftover bits of a 2- or 3-character tail are ignored, as Node's and iron's decoders do.
        let outputCount = count / 4 * 3 + count % 4 * 3 / 4
        return stepTables.withUnsafeBufferPointer { tables -> [UInt8]? in
            var invalid: UInt64 = 0
            // Every step stores 8 bytes; the 7 spare bytes of capacity take the last one's excess.
            let result = [UInt8](unsafeUninitializedCapacity: outputCount + 7) { buffer, initialized in
                let out = UnsafeMutableRawPointer(buffer.baseAddress!)
                var i = 0
                var o = 0
                // Wrapping arithmetic: i <= count and o <= outputCount, so it cannot overflow, and
                // dropping the overflow checks takes a fifth off the step.
                func bits(_ position: Int) -> UInt64 { tables[position &* 256 &+ Int(input[i &+ position])] }
                while count &- i >= 8 {
                    let word = (bits(0) | bits(1)) | (bits(2) | bits(3)) | ((bits(4) | bits(5)) | (bits(6) | bits(7)))
                    invalid |= word
                    out.storeBytes(of: word.bigEndian, toByteOffset: o, as: UInt64.self)
                    i &+= 8
                    o &+= 6
                }
                // The last 2...7 characters: a step whose missing characters add no bits.
                if i < count {
                    var word: UInt64 = 0
                    for position in 0..<(count - i) { word |= bits(position) }
                    invalid |= word
                    out.storeBytes(of: word.bigEndian, toByteOffset: o, as: UInt64.self)
                }
                initialized = outputCount
            }
            return invalid & 0xFFFF == 0 ? result : nil
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
