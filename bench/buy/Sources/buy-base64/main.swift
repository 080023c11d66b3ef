// Base64URL (AuthKitCore/Encoding) side by side with swift-extras-base64: decoding the parts of
// the ~3 KB iron seal and of the access token is on every uncached check; encoding the 32-byte
// MAC is on every unseal (iron compares the base64url text).
import AuthKitCore
import BuyMeasure
import ExtrasBase64

let urlDecoding: Base64.DecodingOptions = [.base64UrlAlphabet, .omitPaddingCharacter]
let urlEncoding: Base64.EncodingOptions = [.base64UrlAlphabet, .omitPaddingCharacter]

var generator = SystemRandomNumberGenerator()
let ciphertext = (0..<2192).map { _ in UInt8.random(in: 0...255, using: &generator) }
let signature = (0..<256).map { _ in UInt8.random(in: 0...255, using: &generator) }
let iv16 = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
let mac = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
let ciphertextText = Base64URL.encodeBytes(ciphertext)
let signatureText = Base64URL.encodeBytes(signature)
let checkDecode = try Base64.decode(bytes: ciphertextText, options: urlDecoding)
precondition(checkDecode == ciphertext, "swift-extras-base64 decodes differently")
precondition(Base64.encodeToBytes(bytes: ciphertext, options: urlEncoding) == ciphertextText, "swift-extras-base64 encodes differently")

func decodeOurs(_ text: [UInt8]) -> [UInt8]? { text.withUnsafeBufferPointer { Base64URL.decode(bytes: $0) } }

// What one uncached check decodes: the seal's IV and ciphertext, the access token's header,
// payload (bench/core's token: ~1.5 KB of claims) and signature.
let checkParts = [ciphertextText, Base64URL.encodeBytes(Array(iv16)), Base64URL.encodeBytes(Array(repeating: 0x7B, count: 45)),
                  Base64URL.encodeBytes(Array(repeating: 0x22, count: 1150)), signatureText]

let results = [
    pair("one check's decodes (seal IV + ciphertext, token's 3 parts)", iterations: 10000,
         ours: { for part in checkParts { blackHole(decodeOurs(part)) } },
         library: { for part in checkParts { blackHole(try? Base64.decode(bytes: part, options: urlDecoding)) } }),
    pair("decode \(ciphertextText.count) chars (seal ciphertext)", iterations: 20000,
         ours: { blackHole(decodeOurs(ciphertextText)) },
         library: { blackHole(try? Base64.decode(bytes: ciphertextText, options: urlDecoding)) }),
    pair("decode \(signatureText.count) chars (RS256 signature)", iterations: 50000,
         ours: { blackHole(decodeOurs(signatureText)) },
         library: { blackHole(try? Base64.decode(bytes: signatureText, options: urlDecoding)) }),
    pair("encode 32 bytes (iron MAC)", iterations: 50000,
         ours: { blackHole(Base64URL.encodeBytes(mac)) },
         library: { blackHole(Base64.encodeToBytes(bytes: mac, options: urlEncoding)) }),
    pair("encode \(ciphertext.count) bytes (seal ciphertext)", iterations: 20000,
         ours: { blackHole(Base64URL.encodeBytes(ciphertext)) },
         library: { blackHole(Base64.encodeToBytes(bytes: ciphertext, options: urlEncoding)) }),
]
printTable("Base64URL vs swift-extras-base64 1.2.0", library: "extras-base64", results)

// Where the two disagree on what iron and Node accept: a bad cookie must read as "not signed in".
print("| input | ours | extras-base64 |")
print("| --- | --- | --- |")
for (label, text) in [("`Zm9vYmE` (fooba)", "Zm9vYmE"), ("`Zm9vYmE=` (padded)", "Zm9vYmE="), ("`Zm9vY` (length 4n+1)", "Zm9vY"),
                      ("`Zh` (leftover bits set)", "Zh"), ("`Zm+v` (standard alphabet)", "Zm+v")] {
    let mine = decodeOurs(Array(text.utf8)).map { "\($0)" } ?? "refused"
    let theirs: String
    do { theirs = "\(try Base64.decode(bytes: Array(text.utf8), options: urlDecoding))" } catch { theirs = "refused" }
    print("| \(label) | \(mine) | \(theirs) |")
}
print("")
