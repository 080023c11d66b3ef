import Logging
import Testing
@testable import AuthKitCore

@Suite struct LocationSettingsTests {
    func parse(_ parameters: [String: String]) -> Result<LocationSettings, LocationSettings.Problems> {
        LocationSettings.parse(parameters)
    }

    func problems(_ parameters: [String: String]) -> [String] {
        guard case .failure(let problems) = parse(parameters) else { return [] }
        return problems.all.map(\.parameter)
    }

    @Test func readsEverySetting() throws {
        let settings = try parse([
            "AUTHKIT_ACTION": "check", "AUTHKIT_MODE": "Optional", "AUTHKIT_ALLOW_BEARER": "TRUE",
            "AUTHKIT_REQUIRE_ROLE": "admin, owner", "AUTHKIT_REQUIRE_PERMISSION": "posts:read,posts:write",
            "AUTHKIT_REQUIRE_ORGANIZATION": "org_1", "AUTHKIT_REQUIRE_ENTITLEMENT": "audit", "AUTHKIT_REQUIRE_FEATURE_FLAG": "beta",
            "AUTHKIT_CGI_SCRIPTS": "/usr/lib/cgi-bin/protected", "AUTHKIT_SERVED_PATH": "/x",
        ]).get()
        #expect(settings.mode == .optional && settings.allowBearer && settings.cgiScripts == "/usr/lib/cgi-bin/protected")
        #expect(settings.requirements.anyRole == ["admin", "owner"] && settings.requirements.allPermissions == ["posts:read", "posts:write"])
        #expect(settings.requirements.organizations == ["org_1"] && settings.requirements.allEntitlements == ["audit"])
        #expect(settings.requirements.allFeatureFlags == ["beta"])
        #expect(try parse([:]).get() == LocationSettings())
    }

    /// Process settings (a CGI environment carries them) and identity variables (Apache keeps
    /// them after an internal redirect) are not location settings, and not errors.
    @Test func passesOverProcessAndIdentityNames() throws {
        var parameters = ["AUTHKIT_ENV_FILE": "/etc/authkit.env", "AUTHKIT_CACHE_DIR": "/var/cache/a", "AUTHKIT_USER_ID": "user_1",
                          "AUTHKIT_ROLES": "admin", "AUTHKIT_ACCESS_TOKEN": "x", "WORKOS_CLIENT_ID": "client_1", "HTTP_HOST": "h"]
        for name in LocationSettings.processNames { parameters[name] = "anything" }
        #expect(try parse(parameters).get() == LocationSettings())
    }

    /// Fail closed: every misspelt name and bad value is reported, all at once.
    @Test func refusesUnknownNamesAndBadValues() {
        #expect(problems(["AUTHKIT_REQUIRE_ROLES": "admin"]) == ["AUTHKIT_REQUIRE_ROLES"])
        #expect(problems(["AUTHKIT_REQUIRED_ROLE": "admin", "AUTHKIT_MODE": "optinal"]) == ["AUTHKIT_MODE", "AUTHKIT_REQUIRED_ROLE"])
        #expect(problems(["AUTHKIT_ALLOW_BEARER": "yes"]) == ["AUTHKIT_ALLOW_BEARER"])
        #expect(problems(["AUTHKIT_ACTION": "chek"]) == ["AUTHKIT_ACTION"])
        #expect(problems(["AUTHKIT_ACTION": "chec\u{212A}"]) == ["AUTHKIT_ACTION"], "KELVIN SIGN lower-cases to k, ASCII folding does not")
        #expect(problems(["AUTHKIT_MODE": "OPTİONAL"]) == ["AUTHKIT_MODE"])
        #expect(problems(["AUTHKIT_CGI_SCRIPTS": "relative/dir"]) == ["AUTHKIT_CGI_SCRIPTS"])
        for empty in ["", " ", ",", " , "] {
            #expect(problems(["AUTHKIT_REQUIRE_ROLE": empty]) == ["AUTHKIT_REQUIRE_ROLE"], "\(empty) would allow everyone")
        }
        #expect(problems(["AUTHKIT_REQUIRE_ROLE": "admin\nowner"]) == ["AUTHKIT_REQUIRE_ROLE"])
        guard case .failure(let bad) = parse(["AUTHKIT_MODE": "optinal"]) else { Issue.record("accepted"); return }
        #expect(bad.all[0].description == #"AUTHKIT_MODE is "optinal", not a mode. Fix: set it to optional or required"#)
    }

    /// Lists split on bytes: a combining mark after a comma does not hide it.
    @Test func listsSplitOnBytes() {
        #expect(Requirements.list("admin,\u{301}owner").items == ["admin", "\u{301}owner"])
        #expect(Requirements.list("a\u{301},b c").items == ["a\u{301}", "b", "c"])
    }

    /// Requirement values compare as bytes, not canonically equivalent strings.
    @Test func requirementsCompareBytes() throws {
        var requirements = Requirements()
        requirements.anyRole = ["\u{212A}ey"]
        let claims = try #require(AccessTokenClaims(payloadJSON: Array(#"{"sub":"u","sid":"s","exp":1,"role":"Key"}"#.utf8)))
        #expect(requirements.failure(for: claims) != nil, "KELVIN SIGN is not K")
        requirements.anyRole = ["Key"]
        #expect(requirements.failure(for: claims) == nil)
    }

    /// Through the service: a misspelt requirement denies a signed-in user with a 500; the page
    /// is never served as if the requirement were absent.
    @Test func aMisspeltSettingDeniesWith500() {
        let fixture = ServiceFixture()
        for parameters in [["AUTHKIT_REQUIRE_ROLES": "admin"], ["AUTHKIT_MODE": "optinal"], ["AUTHKIT_REQUIRE_ROLE": ""]] {
            let response = fixture.service.handle(AuthRequest(method: "GET", requestURI: "/x",
                                                              parameters: parameters.merging(["AUTHKIT_ACTION": "check", "AUTHKIT_SERVED_PATH": "/x"]) { a, _ in a }))
            #expect(response.status == 500, "\(parameters)")
        }
    }
}
