/// iron-session 8's layer over ``Iron``: the `~2` version suffix, the `{1: password}` map and
/// what `unsealData` returns.
public enum IronSession {
    /// iron-session's `currentMajorVersion`.
    public static let currentVersion = 2

    /// `sealData(value, {password, ttl})`: an iron seal with `~2` appended.
    public static func seal(
        _ json: [UInt8], passwordId: String, password: String,
        ttlSeconds: Int64, now: UnixMillis, parameters: Iron.SealParameters
    ) throws(IronError) -> String {
        let sealed = try Iron.seal(
            json, passwordId: passwordId, password: password,
            ttlMillis: ttlSeconds.multipliedClamped(by: 1000), now: now, parameters: parameters)
        return sealed + "~\(currentVersion)"
    }

    /// What `unsealData` yields for a seal that opened.
    public struct Opened: Sendable, Equatable {
        /// The data, or an empty object where iron-session returns `{}`.
        public var value: JSONValue
        /// Index of the candidate password that opened it (0 = the current password).
        public var passwordIndex: Int
    }

    /// `unsealData(seal, {password})`.
    ///
    /// - Throws: ``IronError``; `isSoft` says whether iron-session would have returned `{}`.
    ///   Invalid JSON inside a valid seal is reported as ``IronError/decryptionFailed``.
    public static func unseal(
        _ seal: String, passwords: (String) -> [String], now: UnixMillis
    ) throws(IronError) -> Opened {
        try opened(unsealText(seal, passwords: passwords, now: now))
    }

    /// A seal opened but its JSON not yet read: the plaintext, the `~N` version and the index
    /// of the password that opened it.
    public struct OpenedText: Sendable {
        public var plaintext: [UInt8]
        public var version: Int?
        public var passwordIndex: Int
    }

    /// The first half of ``unseal(_:passwords:now:)``: checks and decrypts, reads no JSON.
    public static func unsealText(
        _ seal: String, passwords: (String) -> [String], now: UnixMillis
    ) throws(IronError) -> OpenedText {
        // Split on `~` by bytes; `seal.split(separator:)` would break graphemes on every byte.
        let body: Substring
        let version: Int?
        if let tilde = seal.firstUTF8Index(of: UInt8(ascii: "~")) {
            body = seal[..<tilde]
            let rest = seal[seal.utf8.index(after: tilde)...]
            let versionText = rest.firstUTF8Index(of: UInt8(ascii: "~")).map { rest[..<$0] } ?? rest
            version = parseIntLikeJavaScript(versionText)
        } else {
            body = seal[...]
            version = nil
        }
        let (plaintext, index) = try Iron.unseal(body, passwords: passwords, now: now)
        return OpenedText(plaintext: plaintext, version: version, passwordIndex: index)
    }

    /// The second half of ``unseal(_:passwords:now:)``: what `unsealData` makes of the text.
    /// Invalid JSON is ``IronError/decryptionFailed``.
    public static func opened(_ text: OpenedText) throws(IronError) -> Opened {
        let parsed: JSONValue
        if text.plaintext.isEmpty {
            parsed = .null
        } else {
            do { parsed = try JSONParser.parse(text.plaintext) } catch { throw .decryptionFailed }
        }
        // `?? {}` in iron-session.
        let data: JSONValue = parsed.isNull ? .object([]) : parsed
        if text.version == currentVersion { return Opened(value: data, passwordIndex: text.passwordIndex) }
        // Seals of iron-session v6/v7 kept the data under `persistent`.
        if case .object(let members)? = data["persistent"] { return Opened(value: .object(members), passwordIndex: text.passwordIndex) }
        return Opened(value: .object([]), passwordIndex: text.passwordIndex)
    }

    /// JavaScript's `parseInt(text, 10)`: leading whitespace, an optional sign, then as many
    /// digits as there are; nil for NaN. A value past Int's range (JavaScript would give a
    /// huge Number) saturates at Int.max / -Int.max, never a truncated prefix of the digits.
    static func parseIntLikeJavaScript(_ text: Substring) -> Int? {
        // Every seal iron-session writes ends in `~2`: answer that without Unicode properties.
        if text.utf8.count == 1, let digit = text.utf8.first, digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") {
            return Int(digit - UInt8(ascii: "0"))
        }
        var scalars = Substring(text).unicodeScalars.drop { $0.properties.isWhitespace }
        var negative = false
        if let first = scalars.first, first == "-" || first == "+" {
            negative = first == "-"
            scalars = scalars.dropFirst()
        }
        let digits = scalars.prefix { $0.value >= 48 && $0.value <= 57 }
        guard let value = DecimalText.saturating(digits.lazy.map { UInt8(truncatingIfNeeded: $0.value) }, ceiling: Int64(Int.max)),
              let magnitude = Int(exactly: value) else { return nil }
        return negative ? -magnitude : magnitude
    }
}
