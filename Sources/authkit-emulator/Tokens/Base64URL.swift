import Foundation

/// Unpadded base64url (RFC 7515 §2), written here rather than taken from AuthKitCore on
/// purpose: the emulator must not agree with the core by sharing its code.
enum Base64URL {
    /// `Base64URL.encode([0xfb, 0xff]) == "-_8"`
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
