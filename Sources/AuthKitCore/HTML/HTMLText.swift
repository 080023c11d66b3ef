/// Escaping for text and attribute values in the pages authkit-fcgi writes, on UTF-8 bytes.
///
/// Not on `Character`s: a combining mark after `"` or `<` makes one grapheme cluster that
/// compares unequal to `"`, so a Character-wise escape would let the quote through, while the
/// browser's tokenizer reads bytes and ends the attribute there.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
