import AuthKitCrypto

/// The iron `Fe26.2` seal as iron-webcrypto 1.2.1 implements it with its default options:
/// PBKDF2-SHA1 × 1 over the hex salt *string*, AES-256-CBC, HMAC-SHA256, unpadded base64url,
/// 60 s timestamp skew. Byte-compatible with iron-session 8 / authkit-nextjs (spec §1.3–1.5).
///
/// ```
/// Fe26.2*<pwid>*<encSalt>*<ivB64u>*<ctB64u>*<expMs>*<macSalt>*<macB64u>
/// ```
public enum Iron {
    public static let macPrefix = "Fe26.2"
    /// Seals and unseals accept an expiration up to this far in the past.
    public static let timestampSkewMillis: Int64 = 60_000
    public static let minimumPasswordLength = 32

    /// The random parts of one seal; injected so a vector can be reproduced byte for byte.
    public struct SealParameters: Sendable, Equatable {
        /// 64 lowercase hex characters (32 random bytes); the ASCII string is the PBKDF2 salt.
        public var encryptionSalt: String
        public var hmacSalt: String
        /// 16 bytes.
        public var iv: [UInt8]

        public init(encryptionSalt: String, hmacSalt: String, iv: [UInt8]) {
            self.encryptionSalt = encryptionSalt
            self.hmacSalt = hmacSalt
            self.iv = iv
        }

        /// Fresh salts and IV from `random`.
        public static func random(_ random: some RandomSource) -> SealParameters {
            SealParameters(
                encryptionSalt: Hex.encode(random.bytes(32)),
                hmacSalt: Hex.encode(random.bytes(32)),
                iv: random.bytes(16))
        }
    }

    /// Seals `plaintext` (UTF-8 JSON) under `password` with id `passwordId`.
    /// - Parameters:
    ///   - ttlMillis: 0 for no expiration (authkit's sessions), else the lifetime.
    ///   - now: the clock reading used for the expiration.
    public static func seal(
        _ plaintext: [UInt8], passwordId: String, password: String,
        ttlMillis: Int64, now: UnixMillis, parameters: SealParameters
    ) throws(IronError) -> String {
        guard passwordId.isEmpty || passwordId.utf8.allSatisfy(isWordCharacter) else { throw .invalidPasswordId }
        guard password.utf16.count >= minimumPasswordLength else { throw .passwordTooShort }
        let passwordBytes = Array(password.utf8)
        let encryptionKey = deriveKey(password: passwordBytes, salt: Array(parameters.encryptionSalt.utf8))
        let ciphertext: [UInt8]
        do {
            ciphertext = try AES256CBC.encrypt(key: encryptionKey, iv: parameters.iv, plaintext: plaintext)
        } catch {
            throw .decryptionFailed
        }
        let expiration = ttlMillis > 0 ? String(now.addingClamped(ttlMillis)) : ""
        let macBase = "\(macPrefix)*\(passwordId)*\(parameters.encryptionSalt)*\(Base64URL.encode(parameters.iv))*\(Base64URL.encode(ciphertext))*\(expiration)"
        let macKey = deriveKey(password: passwordBytes, salt: Array(parameters.hmacSalt.utf8))
        let mac = Digest.hmacSHA256(key: macKey, data: Array(macBase.utf8))
        return "\(macBase)*\(parameters.hmacSalt)*\(Base64URL.encode(mac))"
    }

    /// Opens a seal, trying each candidate password for its id in order.
    ///
    /// - Parameter passwords: the candidates for a password id (`"default"` stands for an empty
    ///   id, as in iron-session); none means `Cannot find password`.
    /// - Returns: the plaintext and the index of the candidate that opened it.
    public static func unseal(
        _ sealed: Substring, passwords: (String) -> [String], now: UnixMillis
    ) throws(IronError) -> (plaintext: [UInt8], passwordIndex: Int) {
        // Work on bytes: splitting a String by Character costs grapheme breaking on every byte.
        let bytes = sealed.utf8Array
        var parts: [Range<Int>] = []
        parts.reserveCapacity(9)
        bytes.withUnsafeBufferPointer { all in
            var partStart = 0
            while parts.count < 8, let star = all.firstOffset(of: UInt8(ascii: "*"), from: partStart) {
                parts.append(partStart..<star)
                partStart = star + 1
            }
            parts.append(partStart..<all.count)
        }
        guard parts.count == 8 else { throw .incorrectNumberOfComponents }
        guard bytes[parts[0]].elementsEqual(macPrefix.utf8) else { throw .wrongPrefix }
        let expiration = bytes[parts[5]]
        if !expiration.isEmpty {
            guard expiration.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                throw .invalidExpiration
            }
            // Digits only; a date past Int64.max saturates: so far ahead it never expires.
            if let expMillis = DecimalText.saturating(expiration), expMillis <= now.subtractingClamped(timestampSkewMillis) {
                throw .expired
            }
        }
        let passwordId = parts[1].isEmpty ? "default" : String(decoding: bytes[parts[1]], as: UTF8.self)
        let candidates = passwords(passwordId)
        guard !candidates.isEmpty else { throw .cannotFindPassword(passwordId) }

        // The MAC covers the first six components exactly as transmitted.
        let macSalt = Array(bytes[parts[6]])
        let receivedMac = Array(bytes[parts[7]])
        var opened: (password: [UInt8], index: Int)?
        var sawShortPassword = false
        bytes.withUnsafeBufferPointer { all in
            let macBase = UnsafeBufferPointer(rebasing: all[0..<parts[5].upperBound])
            for (index, candidate) in candidates.enumerated() {
                guard candidate.utf16.count >= minimumPasswordLength else {
                    sawShortPassword = true
                    continue
                }
                let passwordBytes = candidate.utf8Array
                let macKey = deriveKey(password: passwordBytes, salt: macSalt)
                let mac = Digest.hmacSHA256(key: macKey, data: macBase)
                // iron compares the base64url strings, so added padding counts as a mismatch.
                if Digest.constantTimeEquals(Base64URL.encodeBytes(mac), receivedMac) {
                    opened = (passwordBytes, index)
                    return
                }
            }
        }
        guard let opened else { throw sawShortPassword && candidates.count == 1 ? .passwordTooShort : .badHMAC }

        let decoded: (ciphertext: [UInt8], iv: [UInt8])? = bytes.withUnsafeBufferPointer { all in
            guard let ciphertext = Base64URL.decode(bytes: UnsafeBufferPointer(rebasing: all[parts[4]])),
                  let iv = Base64URL.decode(bytes: UnsafeBufferPointer(rebasing: all[parts[3]])) else { return nil }
            return (ciphertext, iv)
        }
        guard let decoded else { throw .invalidBase64 }
        let key = deriveKey(password: opened.password, salt: Array(bytes[parts[2]]))
        do {
            let plaintext = try AES256CBC.decrypt(key: key, iv: decoded.iv, ciphertext: decoded.ciphertext)
            return (plaintext, opened.index)
        } catch {
            throw .decryptionFailed
        }
    }

    private static func deriveKey(password: [UInt8], salt: [UInt8]) -> [UInt8] {
        Digest.pbkdf2SHA1(password: password, salt: salt, iterations: 1, keyLength: 32)
    }

    private static func isWordCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"): true
        default: false
        }
    }
}
