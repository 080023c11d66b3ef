// AuthKitCrypto (Debian's OpenSSL 3) side by side with swift-crypto (BoringSSL, vendored): the
// operations the session hot path runs for one uncached check. Unsealing the iron cookie is two
// PBKDF2-SHA1 key derivations (1 iteration), an HMAC-SHA256 over the ~3 KB seal and an
// AES-256-CBC decrypt; then one RS256 verify of the access token; SHA-256 keys the session cache.
import AuthKitCore
import AuthKitCrypto
import BuyMeasure
import Crypto
import CryptoExtras
import Foundation

let password = Array("this-is-a-32-character-password!".utf8)
let encryptionSalt = Array(String(repeating: "0123456789abcdef", count: 4).utf8)
let macSalt = Array(String(repeating: "fedcba9876543210", count: 4).utf8)
let iv = CryptoRandom.bytes(16)
// A session like bench/core's: ~2.2 KB of JSON sealed into a ~3 KB cookie.
let plaintext = Array(("{\"accessToken\":\"" + String(repeating: "eyJhbGciOiJSUzI1NiJ9", count: 100) + "\"}").utf8)
let key = Digest.pbkdf2SHA1(password: password, salt: encryptionSalt, iterations: 1, keyLength: 32)
let ciphertext = try AES256CBC.encrypt(key: key, iv: iv, plaintext: plaintext)
let macBase = Array("Fe26.2**\(String(decoding: encryptionSalt, as: UTF8.self))*\(Base64URL.encode(iv))*\(Base64URL.encode(ciphertext))*".utf8)

// The same operations through swift-crypto, checked to give the same bytes first.
let cryptoPBKDF2 = { (salt: [UInt8]) -> SymmetricKey in
    try! KDF.Insecure.PBKDF2.deriveKey(from: password, salt: salt, using: .insecureSHA1, outputByteCount: 32, unsafeUncheckedRounds: 1)
}
let macKey = Digest.pbkdf2SHA1(password: password, salt: macSalt, iterations: 1, keyLength: 32)
let cryptoIV = try AES._CBC.IV(ivBytes: iv)
precondition(cryptoPBKDF2(encryptionSalt).withUnsafeBytes { Array($0) } == key, "PBKDF2 differs")
precondition(Array(HMAC<SHA256>.authenticationCode(for: macBase, using: SymmetricKey(data: macKey))) == Digest.hmacSHA256(key: macKey, data: macBase), "HMAC differs")
let checkDecrypt = try AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: key), iv: cryptoIV)
precondition(Array(checkDecrypt) == plaintext, "AES differs")
precondition(Array(SHA256.hash(data: macBase)) == Digest.sha256(macBase), "SHA-256 differs")

// RS256: a 2048-bit key, a WorkOS-sized access token (~1.5 KB signing input).
let rsa = try RSAPrivateKey(generatingBits: 2048)
let signingInput = Array((String(repeating: "eyJpc3MiOiJodHRwczovL2FwaS53b3Jrb3MuY29tIn0", count: 34) + ".x").utf8)
let signature = try rsa.signRS256(signingInput)
let ours = try rsa.publicKey()
let theirs = try _RSA.Signing.PublicKey(n: try rsa.modulus(), e: try rsa.exponent())
let theirSignature = _RSA.Signing.RSASignature(rawRepresentation: signature)
precondition(ours.verifyRS256(signature: signature, message: signingInput), "ours refuses the signature")
precondition(theirs.isValidSignature(theirSignature, for: signingInput, padding: .insecurePKCS1v1_5), "swift-crypto refuses the signature")

/// iron's unseal, crypto steps only, as Iron.unseal runs them: MAC key, MAC, compare, key, decrypt.
/// The MAC the cookie carries (iron compares its base64url text; both sides compare the bytes here).
let receivedMac = Digest.hmacSHA256(key: Digest.pbkdf2SHA1(password: password, salt: macSalt, iterations: 1, keyLength: 32), data: macBase)
func unsealOurs() -> [UInt8]? {
    let macKey = Digest.pbkdf2SHA1(password: password, salt: macSalt, iterations: 1, keyLength: 32)
    let mac = Digest.hmacSHA256(key: macKey, data: macBase)
    guard Digest.constantTimeEquals(mac, receivedMac) else { return nil }
    let key = Digest.pbkdf2SHA1(password: password, salt: encryptionSalt, iterations: 1, keyLength: 32)
    return try? AES256CBC.decrypt(key: key, iv: iv, ciphertext: ciphertext)
}
func unsealSwiftCrypto() -> Data? {
    let macKey = cryptoPBKDF2(macSalt)
    // `==` against bytes is swift-crypto's constant-time comparison.
    guard HMAC<SHA256>.authenticationCode(for: macBase, using: macKey) == receivedMac else { return nil }
    return try? AES._CBC.decrypt(ciphertext, using: cryptoPBKDF2(encryptionSalt), iv: cryptoIV)
}
precondition(unsealOurs() == plaintext && unsealSwiftCrypto().map(Array.init) == plaintext)

let hmacKey = SymmetricKey(data: macKey)
let aesKey = SymmetricKey(data: key)
let results = [
    pair("PBKDF2-SHA1, 1 iteration, 32 bytes", iterations: 20000,
         ours: { blackHole(Digest.pbkdf2SHA1(password: password, salt: encryptionSalt, iterations: 1, keyLength: 32)) },
         library: { blackHole(cryptoPBKDF2(encryptionSalt)) }),
    pair("HMAC-SHA256 of the \(macBase.count)-byte seal", iterations: 20000,
         ours: { blackHole(Digest.hmacSHA256(key: macKey, data: macBase)) },
         library: { blackHole(HMAC<SHA256>.authenticationCode(for: macBase, using: hmacKey)) }),
    pair("AES-256-CBC decrypt, \(ciphertext.count) bytes", iterations: 20000,
         ours: { blackHole(try? AES256CBC.decrypt(key: key, iv: iv, ciphertext: ciphertext)) },
         library: { blackHole(try? AES._CBC.decrypt(ciphertext, using: aesKey, iv: cryptoIV)) }),
    pair("SHA-256 of the seal (session cache key)", iterations: 20000,
         ours: { blackHole(Digest.sha256(macBase)) }, library: { blackHole(SHA256.hash(data: macBase)) }),
    pair("iron unseal, crypto steps (2 PBKDF2 + HMAC + AES)", iterations: 10000,
         ours: { blackHole(unsealOurs()) }, library: { blackHole(unsealSwiftCrypto()) }),
    pair("RS256 verify, 2048-bit", iterations: 3000,
         ours: { blackHole(ours.verifyRS256(signature: signature, message: signingInput)) },
         library: { blackHole(theirs.isValidSignature(theirSignature, for: signingInput, padding: .insecurePKCS1v1_5)) }),
    pair("32 random bytes", iterations: 20000,
         ours: { blackHole(CryptoRandom.bytes(32)) }, library: { blackHole(SymmetricKey(size: .bits256)) }),
]
printTable("AuthKitCrypto (Debian OpenSSL 3) vs swift-crypto 4.5.2 (BoringSSL)", library: "swift-crypto", results)
