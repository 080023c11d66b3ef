import Testing
@testable import AuthKitCore

@Suite struct AuthResponseTests {
    let response = AuthResponse(status: 200, headers: [
        ("X-AuthKit-User-Id", "user_1"), ("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("X-Odd[", "bracket"), ("Content-Type", "text/plain"),
    ])

    @Test func headerNamesMatchIgnoringASCIICase() {
        #expect(response.header("x-authkit-user-id") == "user_1")
        #expect(response.header("X-AUTHKIT-USER-ID") == "user_1")
        #expect(response.header("CONTENT-type") == "text/plain")
        #expect(response.headers(named: "SET-COOKIE") == ["a=1", "b=2"])
        #expect(response.header("X-AuthKit-User") == nil)
        #expect(response.header("X-AuthKit-User-Idx") == nil)
    }

    /// Only letters fold: `[` and `{` differ by the same bit as `A` and `a` but are different names.
    @Test func onlyLettersFold() {
        #expect(response.header("X-Odd[") == "bracket")
        #expect(response.header("x-odd{") == nil)
        #expect(AuthResponse.sameName("a@", "A@"))
        #expect(!AuthResponse.sameName("@", "`"))
        #expect(!AuthResponse.sameName("-", "\r"))
    }
}
