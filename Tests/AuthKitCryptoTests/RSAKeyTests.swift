import Foundation
import Testing
@testable import AuthKitCrypto

/// RS256 with keys made in process. Key generation is slow, so each key is made once.
@Suite struct RSAKeyTests {
    static let key: RSAPrivateKey = try! RSAPrivateKey(generatingBits: 2048)
    static let otherKey: RSAPrivateKey = try! RSAPrivateKey(generatingBits: 2048)
    static let message = Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyXzAxIn0".utf8)
    static let signature: [UInt8] = try! key.signRS256(message)

    @Test func bitsIs2048() throws {
        #expect(try Self.key.publicKey().bits == 2048)
        #expect(try Self.otherKey.publicKey().bits == 2048)
    }

    @Test func modulusAndExponentShape() throws {
        let n = try Self.key.modulus()
        #expect(n.count == 256)
        #expect(n[0] & 0x80 != 0, "a 2048-bit modulus has its top bit set")
        #expect(try Self.key.exponent() == [0x01, 0x00, 0x01])
        #expect(try Self.key.modulus() != Self.otherKey.modulus())
    }

    @Test func signVerifyRoundTrip() throws {
        #expect(Self.signature.count == 256)
        #expect(try Self.key.publicKey().verifyRS256(signature: Self.signature, message: Self.message))
    }

    @Test func signingIsDeterministic() throws {
        // RSASSA-PKCS1-v1_5 has no randomness.
        #expect(try Self.key.signRS256(Self.message) == Self.signature)
    }

    @Test(arguments: ["", "a", String(repeating: "x", count: 10_000)])
    func roundTripsOtherMessages(_ text: String) throws {
        let message = Array(text.utf8)
        let signature = try Self.key.signRS256(message)
        let publicKey = try Self.key.publicKey()
        #expect(publicKey.verifyRS256(signature: signature, message: message))
        #expect(!publicKey.verifyRS256(signature: signature, message: message + [0]))
    }

    @Test(arguments: [(0, 0), (0, 7), (1, 3), (128, 0), (200, 5), (254, 1), (255, 0), (255, 7)])
    func flippedSignatureBitFails(_ byte: Int, _ bit: Int) throws {
        var signature = Self.signature
        signature[byte] ^= UInt8(1 << bit)
        let publicKey = try Self.key.publicKey()
        #expect(!publicKey.verifyRS256(signature: signature, message: Self.message))
    }

    @Test func anotherKeyFails() throws {
        let otherPublicKey = try Self.otherKey.publicKey()
        #expect(!otherPublicKey.verifyRS256(signature: Self.signature, message: Self.message))
        let otherSignature = try Self.otherKey.signRS256(Self.message)
        #expect(otherSignature != Self.signature)
        let publicKey = try Self.key.publicKey()
        #expect(!publicKey.verifyRS256(signature: otherSignature, message: Self.message))
    }

    @Test func wrongMessageFails() throws {
        let publicKey = try Self.key.publicKey()
        var changed = Self.message
        changed[changed.count - 1] ^= 0x01
        #expect(!publicKey.verifyRS256(signature: Self.signature, message: changed))
        #expect(!publicKey.verifyRS256(signature: Self.signature, message: Self.message + [0x2E]))
        #expect(!publicKey.verifyRS256(signature: Self.signature, message: Array(Self.message.dropLast())))
        #expect(!publicKey.verifyRS256(signature: Self.signature, message: []))
    }

    @Test(arguments: [0, 1, 128, 255, 257, 512])
    func signatureOfWrongLengthFails(_ length: Int) throws {
        let signature = Array((Self.signature + Self.signature).prefix(length))
        let publicKey = try Self.key.publicKey()
        #expect(!publicKey.verifyRS256(signature: signature, message: Self.message))
    }

    @Test func allZeroAndAllOnesSignaturesFail() throws {
        let publicKey = try Self.key.publicKey()
        #expect(!publicKey.verifyRS256(signature: [UInt8](repeating: 0, count: 256), message: Self.message))
        #expect(!publicKey.verifyRS256(signature: [UInt8](repeating: 0xFF, count: 256), message: Self.message))
    }

    @Test func publicKeyFromModulusAndExponentVerifies() throws {
        let publicKey = try RSAPublicKey(modulus: Self.key.modulus(), exponent: Self.key.exponent())
        #expect(publicKey.bits == 2048)
        #expect(publicKey.verifyRS256(signature: Self.signature, message: Self.message))
        #expect(!publicKey.verifyRS256(signature: Self.signature, message: Array("other".utf8)))
    }

    /// JWK encoders sometimes keep a leading zero byte; big-endian parsing must ignore it.
    @Test func modulusWithLeadingZeroByteVerifies() throws {
        let publicKey = try RSAPublicKey(modulus: [0] + Self.key.modulus(), exponent: [0] + Self.key.exponent())
        #expect(publicKey.bits == 2048)
        #expect(publicKey.verifyRS256(signature: Self.signature, message: Self.message))
    }

    @Test func emptyModulusThrows() {
        #expect(throws: RSAKeyError.invalidKey("empty modulus or exponent")) {
            try RSAPublicKey(modulus: [], exponent: [0x01, 0x00, 0x01])
        }
    }

    @Test func emptyExponentThrows() throws {
        let modulus = try Self.key.modulus()
        #expect(throws: RSAKeyError.self) { try RSAPublicKey(modulus: modulus, exponent: []) }
    }

    @Test func pemExportReimportKeepsKey() throws {
        let pem = try Self.key.pem()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))
        let reimported = try RSAPrivateKey(pem: pem)
        #expect(try reimported.modulus() == Self.key.modulus())
        #expect(try reimported.exponent() == Self.key.exponent())
        #expect(try reimported.signRS256(Self.message) == Self.signature)
        #expect(try reimported.pem() == pem)
    }

    /// A PEM test argument, named in the test summary (its text has newlines).
    struct BadPEM: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        BadPEM(name: "empty", text: ""),
        BadPEM(name: "not a pem", text: "not a pem"),
        BadPEM(name: "no body", text: "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"),
        BadPEM(name: "body not base64", text: "-----BEGIN PRIVATE KEY-----\nAAAA!!!!not base64\n-----END PRIVATE KEY-----\n"),
        BadPEM(name: "a certificate", text: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
    ])
    func invalidPEMThrows(_ pem: BadPEM) {
        #expect(throws: RSAKeyError.self) { try RSAPrivateKey(pem: pem.text) }
    }

    @Test func truncatedPEMThrows() throws {
        let pem = try Self.key.pem()
        let lines = pem.split(separator: "\n")
        let truncated = (lines.prefix(lines.count / 2) + [lines.last!]).joined(separator: "\n") + "\n"
        #expect(throws: RSAKeyError.self) { try RSAPrivateKey(pem: truncated) }
    }

    /// Verify contexts are pooled; many concurrent verifies (more than the pool keeps) must all
    /// give the right answer.
    @Test func concurrentVerifiesAgree() async throws {
        let publicKey = try Self.key.publicKey()
        let signature = Self.signature
        let message = Self.message
        let results = await withTaskGroup(of: (Bool, Bool).self) { group in
            for _ in 0..<80 {
                group.addTask {
                    (publicKey.verifyRS256(signature: signature, message: message),
                     publicKey.verifyRS256(signature: signature, message: message + [1]))
                }
            }
            var all: [(Bool, Bool)] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 80)
        #expect(results.allSatisfy { $0.0 && !$0.1 })
    }

    @Test func failedVerifyDoesNotPoisonLaterVerifies() throws {
        let publicKey = try Self.key.publicKey()
        for _ in 0..<5 {
            #expect(!publicKey.verifyRS256(signature: [1, 2, 3], message: Self.message))
            #expect(publicKey.verifyRS256(signature: Self.signature, message: Self.message))
        }
    }
}

// MARK: - Against the openssl command line tool

/// Runs `/usr/bin/openssl` (or the first `openssl` on PATH).
enum OpenSSLTool {
    static let path: String? = {
        let candidates = ["/usr/bin/openssl", "/usr/local/bin/openssl"]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/openssl" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Failed: Error, CustomStringConvertible {
        let description: String
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: URL) throws -> (status: Int32, output: String) {
        guard let path else { throw Failed(description: "openssl not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out + err, as: UTF8.self))
    }

    @discardableResult
    static func mustRun(_ arguments: [String], in directory: URL) throws -> String {
        let (status, output) = try run(arguments, in: directory)
        guard status == 0 else { throw Failed(description: "openssl \(arguments.joined(separator: " ")) → \(status): \(output)") }
        return output
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("authkit-rsa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A key, message and signature made by the openssl tool, read into memory once.
struct OpenSSLFixture: Sendable {
    let keyPEM: String
    let traditionalPEM: String
    let publicPEM: String
    let ecKeyPEM: String
    let modulus: [UInt8]
    let exponent: [UInt8]
    let message: [UInt8]
    let signature: [UInt8]

    static let shared: Result<OpenSSLFixture, OpenSSLTool.Failed> = {
        do { return .success(try make()) } catch let error as OpenSSLTool.Failed { return .failure(error) } catch {
            return .failure(OpenSSLTool.Failed(description: "\(error)"))
        }
    }()

    private static func make() throws -> OpenSSLFixture {
        let dir = try OpenSSLTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A JWT signing input followed by bytes that are not text.
        let message = Array("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1c2VyXzAxIn0".utf8) + [0, 0xFF, 0x80, 0x0A]
        try Data(message).write(to: dir.appendingPathComponent("msg"))
        try OpenSSLTool.mustRun(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem"], in: dir)
        try OpenSSLTool.mustRun(["dgst", "-sha256", "-sign", "key.pem", "-out", "sig", "msg"], in: dir)
        try OpenSSLTool.mustRun(["rsa", "-in", "key.pem", "-traditional", "-out", "trad.pem"], in: dir)
        try OpenSSLTool.mustRun(["rsa", "-in", "key.pem", "-pubout", "-out", "pub.pem"], in: dir)
        try OpenSSLTool.mustRun(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem"], in: dir)

        // "Modulus=C0FFEE…" in uppercase hex.
        let modulusLine = try OpenSSLTool.mustRun(["rsa", "-in", "key.pem", "-noout", "-modulus"], in: dir)
        guard let hexModulus = modulusLine.split(separator: "\n").first(where: { $0.hasPrefix("Modulus=") })?.dropFirst(8) else {
            throw OpenSSLTool.Failed(description: "no modulus in \(modulusLine)")
        }
        // "publicExponent: 65537 (0x10001)"
        let text = try OpenSSLTool.mustRun(["rsa", "-in", "key.pem", "-noout", "-text"], in: dir)
        guard let exponentLine = text.split(separator: "\n").first(where: { $0.hasPrefix("publicExponent:") }),
              let decimal = exponentLine.split(separator: " ").dropFirst().first, var e = UInt64(decimal) else {
            throw OpenSSLTool.Failed(description: "no public exponent in openssl -text output")
        }
        var exponent: [UInt8] = []
        while e > 0 { exponent.insert(UInt8(e & 0xFF), at: 0); e >>= 8 }

        func read(_ name: String) throws -> String {
            try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
        }
        return OpenSSLFixture(
            keyPEM: try read("key.pem"), traditionalPEM: try read("trad.pem"), publicPEM: try read("pub.pem"),
            ecKeyPEM: try read("ec.pem"), modulus: [UInt8](hex: String(hexModulus)), exponent: exponent,
            message: message, signature: Array(try Data(contentsOf: dir.appendingPathComponent("sig"))))
    }
}

// Skipped without the tool, except under CI=true: there it runs and fails ("openssl not found").
@Suite(.enabled(if: OpenSSLTool.path != nil || ProcessInfo.processInfo.environment["CI"] == "true", "needs the openssl command line tool"))
struct RSAOpenSSLInteropTests {
    var fixture: OpenSSLFixture { get throws { try OpenSSLFixture.shared.get() } }

    @Test func fixtureLooksRight() throws {
        let f = try fixture
        #expect(f.modulus.count == 256)
        #expect(f.exponent == [0x01, 0x00, 0x01])
        #expect(f.signature.count == 256)
        #expect(f.keyPEM.contains("-----BEGIN PRIVATE KEY-----"))
        #expect(f.traditionalPEM.contains("-----BEGIN RSA PRIVATE KEY-----"))
    }

    @Test func verifiesOpenSSLSignatureWithModulusAndExponent() throws {
        let f = try fixture
        let publicKey = try RSAPublicKey(modulus: f.modulus, exponent: f.exponent)
        #expect(publicKey.bits == 2048)
        #expect(publicKey.verifyRS256(signature: f.signature, message: f.message))
    }

    @Test func rejectsTamperedOpenSSLSignatureOrMessage() throws {
        let f = try fixture
        let publicKey = try RSAPublicKey(modulus: f.modulus, exponent: f.exponent)
        var signature = f.signature
        signature[17] ^= 0x04
        #expect(!publicKey.verifyRS256(signature: signature, message: f.message))
        #expect(!publicKey.verifyRS256(signature: f.signature, message: Array(f.message.dropLast())))
    }

    @Test func rejectsOpenSSLSignatureUnderAnotherKey() throws {
        let f = try fixture
        let ours = try RSAKeyTests.key.publicKey()
        #expect(!ours.verifyRS256(signature: f.signature, message: f.message))
    }

    @Test(arguments: [false, true])
    func importsOpenSSLPEMAndSignsIdentically(_ traditional: Bool) throws {
        let f = try fixture
        let key = try RSAPrivateKey(pem: traditional ? f.traditionalPEM : f.keyPEM)
        #expect(try key.modulus() == f.modulus)
        #expect(try key.exponent() == f.exponent)
        #expect(try key.publicKey().bits == 2048)
        // PKCS#1 v1.5 signatures are deterministic: ours must equal openssl's byte for byte.
        #expect(try key.signRS256(f.message) == f.signature)
    }

    @Test func publicKeyPEMIsNotAPrivateKey() throws {
        let f = try fixture
        #expect(throws: RSAKeyError.self) { try RSAPrivateKey(pem: f.publicPEM) }
    }

    @Test func ecPrivateKeyIsNotAnRSAKey() throws {
        let f = try fixture
        #expect(throws: RSAKeyError.invalidKey("not an RSA private key in PEM")) { try RSAPrivateKey(pem: f.ecKeyPEM) }
    }

    /// The other direction: openssl verifies a signature we made with our own key.
    @Test func openSSLVerifiesOurSignature() throws {
        let dir = try OpenSSLTool.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try RSAKeyTests.key.pem().write(to: dir.appendingPathComponent("ours.pem"), atomically: true, encoding: .utf8)
        try Data(RSAKeyTests.message).write(to: dir.appendingPathComponent("msg"))
        try Data(RSAKeyTests.signature).write(to: dir.appendingPathComponent("sig"))
        try Data(RSAKeyTests.signature.map { $0 ^ 0x01 }).write(to: dir.appendingPathComponent("badsig"))
        try OpenSSLTool.mustRun(["rsa", "-in", "ours.pem", "-pubout", "-out", "ours.pub"], in: dir)

        let good = try OpenSSLTool.run(["dgst", "-sha256", "-verify", "ours.pub", "-signature", "sig", "msg"], in: dir)
        #expect(good.status == 0)
        #expect(good.output.contains("Verified OK"))
        let bad = try OpenSSLTool.run(["dgst", "-sha256", "-verify", "ours.pub", "-signature", "badsig", "msg"], in: dir)
        #expect(bad.status != 0)

        // And openssl reads the same modulus from our PEM.
        let modulusLine = try OpenSSLTool.mustRun(["rsa", "-in", "ours.pem", "-noout", "-modulus"], in: dir)
        let expected = "Modulus=" + (try RSAKeyTests.key.modulus()).hex.uppercased()
        #expect(modulusLine.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
    }
}
