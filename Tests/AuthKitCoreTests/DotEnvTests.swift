import Testing
@testable import AuthKitCore

@Suite struct DotEnvTests {
    func parse(_ text: String) throws -> [String: String] {
        Dictionary(try DotEnv.parse(text).map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
    }

    @Test func readsANextJSEnvLocal() throws {
        let values = try parse("""
            # WorkOS
            WORKOS_CLIENT_ID=client_01ABC
            export WORKOS_API_KEY='sk_test_abc#not-a-comment'
            WORKOS_COOKIE_PASSWORD="line1\\nline2"
            NEXT_PUBLIC_WORKOS_REDIRECT_URI=http://localhost:3000/callback # inline comment
            EMPTY=
            SPACED =   padded value
            HASHED=abc#def
            BACKTICK=`it's "quoted"`
            """)
        #expect(values["WORKOS_CLIENT_ID"] == "client_01ABC")
        #expect(values["WORKOS_API_KEY"] == "sk_test_abc#not-a-comment")
        #expect(values["WORKOS_COOKIE_PASSWORD"] == "line1\nline2")
        #expect(values["NEXT_PUBLIC_WORKOS_REDIRECT_URI"] == "http://localhost:3000/callback")
        #expect(values["EMPTY"] == "")
        #expect(values["SPACED"] == "padded value")
        #expect(values["HASHED"] == "abc#def")
        #expect(values["BACKTICK"] == #"it's "quoted""#)
    }

    @Test func multiLineQuotedValuesAndCRLF() throws {
        let values = try parse("KEY=\"-----BEGIN-----\r\nabc\r\n-----END-----\"\r\nNEXT=1\r\n")
        #expect(values["KEY"] == "-----BEGIN-----\nabc\n-----END-----")
        #expect(values["NEXT"] == "1")
    }

    @Test func errorsNameTheLineAndNeverTheValue() {
        #expect(throws: DotEnvError(line: 2, problem: "expected KEY=value")) { try DotEnv.parse("A=1\nnot a pair\n") }
        do {
            _ = try DotEnv.parse("SECRET=\"sk_live_abcdef")
            Issue.record("accepted an unterminated quote")
        } catch {
            #expect(error.line == 1)
            #expect(!error.description.contains("sk_live"))
        }
    }
}
