import Testing
@testable import AuthKitCore

@Suite struct HexTests {
    @Test func encodesEmpty() {
        #expect(Hex.encode([]) == "")
    }

    @Test(arguments: [
        ([UInt8](), ""),
        ([0x00], "00"),
        ([0x0F], "0f"),
        ([0x10], "10"),
        ([0xFF], "ff"),
        ([0xDE, 0xAD, 0xBE, 0xEF], "deadbeef"),
        ([0x00, 0x01, 0x7F, 0x80, 0xAB, 0xCD, 0xEF], "00017f80abcdef"),
    ])
    func encodesLowercaseWithLeadingZeros(_ bytes: [UInt8], _ expected: String) {
        #expect(Hex.encode(bytes) == expected)
    }

    @Test func encodesEveryByte() {
        let all = (0...255).map(UInt8.init)
        let hex = Hex.encode(all)
        #expect(hex.utf8.count == 512)
        #expect(hex == hex.lowercased())
        for (index, byte) in all.enumerated() {
            let start = hex.utf8.index(hex.utf8.startIndex, offsetBy: index * 2)
            let pair = hex.utf8[start..<hex.utf8.index(start, offsetBy: 2)]
            #expect(UInt8(String(decoding: pair, as: UTF8.self), radix: 16) == byte)
        }
    }

    /// Iron's salts: 32 random bytes rendered as 64 lowercase hex characters.
    @Test func ironSaltShape() {
        let salt = Hex.encode([UInt8](repeating: 0xAB, count: 32))
        #expect(salt.utf8.count == 64)
        #expect(salt.allSatisfy { "0123456789abcdef".contains($0) })
    }
}
