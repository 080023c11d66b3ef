import Foundation
import Testing
@testable import AuthKitCore

/// Every case of `iron-vectors.json` and `iron-negative-vectors.json`, made by the real
/// iron-session 8.0.4 / iron-webcrypto 1.2.1.
@Suite struct IronVectorTests {
    // Read-only after load; Foundation's `Any` is not Sendable, so tests take indexes.
    nonisolated(unsafe) static let vectors: [[String: Any]] = (try? SharedVectors.json("iron-vectors.json") as? [[String: Any]]) ?? []
    nonisolated(unsafe) static let negatives: [[String: Any]] = (try? SharedVectors.json("iron-negative-vectors.json") as? [[String: Any]]) ?? []

    @Test func vectorFilesArePresent() {
        #expect(Self.vectors.count == 13)
        #expect(Self.negatives.count == 28)
    }

    static func passwordMap(_ vector: [String: Any]) -> [String: String] {
        if let map = vector["passwords"] as? [String: String] { return map }
        return ["1": vector["password"] as! String]
    }

    /// Compares our parsed value with the vector's expectation as Foundation objects.
    static func sameJSON(_ ours: JSONValue, _ expected: Any) -> Bool {
        guard let mine = try? JSONSerialization.jsonObject(with: Data(JSONWriter.bytes(ours)), options: [.fragmentsAllowed]),
              let a = try? JSONSerialization.data(withJSONObject: mine, options: [.sortedKeys, .fragmentsAllowed]),
              let b = try? JSONSerialization.data(withJSONObject: expected, options: [.sortedKeys, .fragmentsAllowed]) else {
            return false
        }
        return a == b
    }

    @Test(arguments: vectors.indices.filter { vectors[$0]["components"] != nil })
    func reproducesSealByteForByte(_ index: Int) throws {
        let vector = Self.vectors[index]
        let components = vector["components"] as! [String: Any]
        let id = vector["password_id"] as! String
        let password = Self.passwordMap(vector)[id]!
        let parameters = Iron.SealParameters(
            encryptionSalt: components["encryption_salt_hex"] as! String,
            hmacSalt: components["hmac_salt_hex"] as! String,
            iv: Base64URL.decode(components["iv_b64url"] as! String)!)
        let sealed = try IronSession.seal(
            Array((vector["plaintext_json"] as! String).utf8), passwordId: id, password: password,
            ttlSeconds: SharedVectors.int64(vector["ttl_seconds"])!,
            now: SharedVectors.int64(vector["created_at_ms"])!, parameters: parameters)
        #expect(sealed == vector["sealed"] as! String, "vector \(vector["id"]!)")
    }

    @Test(arguments: vectors.indices)
    func unsealsWithRecordedOutcomeAtEachClock(_ index: Int) throws {
        let vector = Self.vectors[index]
        let map = Self.passwordMap(vector)
        let checks = vector["checks"] as! [[String: Any]]
        #expect(!checks.isEmpty)
        for check in checks {
            let now = SharedVectors.int64(check["now_ms"])!
            let expected = check["iron_session_unsealData_returns"]!
            let value: JSONValue
            do {
                value = try IronSession.unseal(vector["sealed"] as! String, passwords: { map[$0].map { [$0] } ?? [] }, now: now).value
            } catch {
                #expect(error.isSoft, "vector \(vector["id"]!) at \(now): \(error)")
                value = .object([])
            }
            #expect(Self.sameJSON(value, expected), "vector \(vector["id"]!) at \(now)")
        }
    }

    @Test(arguments: negatives.indices)
    func negativeCaseMatchesIronSession(_ index: Int) throws {
        let vector = Self.negatives[index]
        let name = vector["case"] as! String
        guard let sealed = vector["sealed"] as? String else {
            // "short password on seal": sealData throws.
            let password = vector["password"] as? String ?? "this-is-a-32-character-password"
            #expect(throws: IronError.passwordTooShort) {
                _ = try IronSession.seal(Array("{}".utf8), passwordId: "1", password: String(password.prefix(31)),
                                         ttlSeconds: 0, now: 0, parameters: .random(SecureRandom()))
            }
            return
        }
        let map = Self.passwordMap(vector)
        let now = SharedVectors.int64(vector["now_ms"])!
        let outcome = vector["iron_session_unsealData"] as! [String: Any]
        let result = Result { () throws(IronError) in
            try IronSession.unseal(sealed, passwords: { map[$0].map { [$0] } ?? [] }, now: now)
        }
        switch result {
        case .success(let opened):
            let expected = try #require(outcome["returns"], "\(name): iron-session threw, we returned")
            #expect(Self.sameJSON(opened.value, expected), "\(name)")
        case .failure(let error):
            if let returned = outcome["returns"] {
                #expect(error.isSoft, "\(name): iron-session returned, we threw \(error)")
                #expect(Self.sameJSON(.object([]), returned), "\(name)")
            } else {
                let thrown = outcome["throws"] as! String
                #expect(!error.isSoft, "\(name)")
                #expect(thrown.contains(error.description) || error == .decryptionFailed && thrown.contains("OperationError"),
                        "\(name): \(thrown) vs \(error)")
            }
        }
    }
}
