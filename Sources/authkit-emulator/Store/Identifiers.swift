import AuthKitCrypto

/// WorkOS-looking identifiers and opaque secrets.
enum Identifiers {
    private static let crockford = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    /// `prefix` + 26 Crockford base32 characters, like WorkOS's ULID-based IDs
    /// (`session_01HQ…`, `req_…`). Random rather than time-ordered.
    static func ulid(_ prefix: String) -> String {
        prefix + "01" + String(CryptoRandom.bytes(24).map { crockford[Int($0) & 31] })
    }

    /// An unguessable token (authorization codes, refresh tokens): 32 base64url characters.
    static func secret() -> String { Base64URL.encode(CryptoRandom.bytes(24)) }
}
