import Testing
@testable import AuthKitCore

@Suite struct RefreshPolicyTests {
    func claims(iat: Int64?, exp: Int64) -> AccessTokenClaims {
        var members: [(key: String, value: JSONValue)] = [("sub", .string("u")), ("exp", .int(exp))]
        if let iat { members.append(("iat", .int(iat))) }
        return AccessTokenClaims(payload: .object(members))!
    }

    @Test func defaultBufferIs30SecondsForShortLivedTokensAnd60Otherwise() {
        let policy = RefreshPolicy(bufferSeconds: nil)
        #expect(policy.buffer(for: claims(iat: 0, exp: 300)) == 30)
        #expect(policy.buffer(for: claims(iat: 0, exp: 301)) == 60)
        // No iat: lifetime counts as 0, so ≤ 300.
        #expect(policy.buffer(for: claims(iat: nil, exp: 3600)) == 30)
        #expect(RefreshPolicy(bufferSeconds: 120).buffer(for: claims(iat: 0, exp: 300)) == 120)
    }

    @Test func expiringIsStrictlyInsideTheBuffer() {
        let policy = RefreshPolicy(bufferSeconds: nil)
        let c = claims(iat: 1000, exp: 1300)
        // exp < now + 30 → expiring
        #expect(policy.state(of: .success(c), nowSeconds: 1270) == .valid(c))
        #expect(policy.state(of: .success(c), nowSeconds: 1271) == .expiringSoon(c))
    }

    @Test func zeroBufferDisablesProactiveRefresh() {
        let c = claims(iat: 1000, exp: 1300)
        #expect(RefreshPolicy(bufferSeconds: 0).state(of: .success(c), nowSeconds: 1299) == .valid(c))
    }

    @Test func invalidTokensAlwaysRefresh() {
        #expect(RefreshPolicy(bufferSeconds: nil).state(of: .failure(.expired), nowSeconds: 0) == .invalid(.expired))
    }
}
