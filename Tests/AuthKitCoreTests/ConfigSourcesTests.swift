import Testing
@testable import AuthKitCore

/// Where `check-config` says each setting came from, and that it agrees with what
/// ``ConfigLoader`` actually reads.
@Suite struct ConfigSourcesTests {
    static let path = "/etc/authkit-fcgi/authkit.env"
    static let required = [
        "WORKOS_CLIENT_ID": "client_01", "WORKOS_API_KEY": "sk_test_Zq81Lm30Rt77Vb12Kx54Np06",
        "WORKOS_COOKIE_PASSWORD": "J8vQ2mZr5Tn1Xw4Ls7Hd0Pf3Gk6Yb9Ce", "WORKOS_REDIRECT_URI": "https://app.example.com/auth/callback",
    ]

    func sources(file: [String: String], environment: [String: String] = [:], path: String? = Self.path) -> ConfigSources {
        ConfigSources(file: file, filePath: path, environment: environment)
    }

    @Suite struct Origins {
        @Test func environmentFileAndDefault() {
            let sources = ConfigSourcesTests().sources(
                file: ["WORKOS_COOKIE_NAME": "from-file", "WORKOS_COOKIE_DOMAIN": ".example.com"],
                environment: ["WORKOS_COOKIE_NAME": "from-env", "WORKOS_API_HOSTNAME": "127.0.0.1"])
            #expect(sources.origin(of: "WORKOS_COOKIE_NAME") == ConfigOrigin(place: .environment, note: "overrides the file"))
            #expect(sources.origin(of: "WORKOS_COOKIE_NAME").description == "env (overrides the file)")
            #expect(sources.origin(of: "WORKOS_API_HOSTNAME").description == "env")
            #expect(sources.origin(of: "WORKOS_COOKIE_DOMAIN") == ConfigOrigin(place: .file(ConfigSourcesTests.path)))
            #expect(sources.origin(of: "WORKOS_COOKIE_DOMAIN").description == "file /etc/authkit-fcgi/authkit.env")
            #expect(sources.origin(of: "WORKOS_COOKIE_SAMESITE") == ConfigOrigin(place: .default))
            #expect(sources.origin(of: "WORKOS_COOKIE_SAMESITE").description == "default")
        }

        @Test func sameValueInBothIsTheEnvironmentWithoutANote() {
            let sources = ConfigSourcesTests().sources(file: ["WORKOS_COOKIE_NAME": "same"], environment: ["WORKOS_COOKIE_NAME": "same"])
            #expect(sources.origin(of: "WORKOS_COOKIE_NAME").description == "env")
        }

        @Test func emptyCountsAsUnset() {
            let sources = ConfigSourcesTests().sources(
                file: ["WORKOS_COOKIE_NAME": "from-file", "WORKOS_COOKIE_DOMAIN": "", "WORKOS_API_PORT": "4100"],
                environment: ["WORKOS_COOKIE_NAME": "", "WORKOS_API_HOSTNAME": ""])
            #expect(sources.origin(of: "WORKOS_COOKIE_NAME").description == "default (empty in env, which hides the file's value)")
            #expect(sources.origin(of: "WORKOS_API_HOSTNAME").description == "default (empty in env)")
            #expect(sources.origin(of: "WORKOS_COOKIE_DOMAIN").description == "default (empty in the file)")
            #expect(sources.origin(of: "WORKOS_API_PORT").description == "file /etc/authkit-fcgi/authkit.env")
        }

        @Test func noEnvFile() {
            let sources = ConfigSourcesTests().sources(file: [:], environment: ["WORKOS_CLIENT_ID": "c"], path: nil)
            #expect(sources.origin(of: "WORKOS_CLIENT_ID").description == "env")
            #expect(sources.origin(of: "WORKOS_API_KEY").description == "default")
        }
    }

    @Suite struct RedirectURIAlias {
        @Test func nextPublicNameIsShownAsTheSource() {
            let sources = ConfigSourcesTests().sources(file: ["NEXT_PUBLIC_WORKOS_REDIRECT_URI": "https://a.example/cb"])
            let origin = sources.origin(of: "WORKOS_REDIRECT_URI")
            #expect(origin.variable == "NEXT_PUBLIC_WORKOS_REDIRECT_URI")
            #expect(origin.description == "file /etc/authkit-fcgi/authkit.env (as NEXT_PUBLIC_WORKOS_REDIRECT_URI)")
            let fromEnvironment = ConfigSourcesTests().sources(file: [:], environment: ["NEXT_PUBLIC_WORKOS_REDIRECT_URI": "https://a.example/cb"])
            #expect(fromEnvironment.origin(of: "WORKOS_REDIRECT_URI").description == "env (as NEXT_PUBLIC_WORKOS_REDIRECT_URI)")
        }

        @Test func ownNameWinsEvenFromTheFileOverTheAliasInTheEnvironment() throws {
            var file = ConfigSourcesTests.required
            file["WORKOS_REDIRECT_URI"] = "https://file.example/cb"
            let sources = ConfigSourcesTests().sources(file: file, environment: ["NEXT_PUBLIC_WORKOS_REDIRECT_URI": "https://env.example/cb"])
            #expect(sources.origin(of: "WORKOS_REDIRECT_URI").description
                == "file /etc/authkit-fcgi/authkit.env (NEXT_PUBLIC_WORKOS_REDIRECT_URI is set too and ignored)")
            #expect(try ConfigLoader.load(sources.variables).redirectURI == "https://file.example/cb")  // what the loader reads
        }

        @Test func emptyOwnNameFallsBackToTheAlias() throws {
            var file = ConfigSourcesTests.required
            file["WORKOS_REDIRECT_URI"] = nil
            file["NEXT_PUBLIC_WORKOS_REDIRECT_URI"] = "https://file.example/cb"
            let sources = ConfigSourcesTests().sources(file: file, environment: ["WORKOS_REDIRECT_URI": ""])
            #expect(sources.origin(of: "WORKOS_REDIRECT_URI").description == "file /etc/authkit-fcgi/authkit.env (as NEXT_PUBLIC_WORKOS_REDIRECT_URI)")
            #expect(try ConfigLoader.load(sources.variables).redirectURI == "https://file.example/cb")
        }
    }

    @Test func variablesLayTheEnvironmentOverTheFileEmptyValuesIncluded() {
        let sources = sources(file: ["A": "file", "B": "file", "C": "file"], environment: ["B": "env", "C": "", "D": "env"])
        #expect(sources.variables == ["A": "file", "B": "env", "C": "", "D": "env"])
    }

    /// For every setting `describe` lists: a `default` origin means the loader gives the same
    /// value with the variable gone, and an `env`/`file` origin names where the loader's value is.
    @Test(arguments: [
        (["WORKOS_COOKIE_SAMESITE": "strict"], [:]),
        ([:], ["WORKOS_COOKIE_SAMESITE": "strict", "AUTHKIT_HTTP_RETRIES": "4"]),
        (["WORKOS_COOKIE_SAMESITE": "strict", "AUTHKIT_HTTP_RETRIES": "1"], ["WORKOS_COOKIE_SAMESITE": "", "AUTHKIT_HTTP_RETRIES": "4"]),
        (["WORKOS_API_PORT": "4100", "AUTHKIT_ENDPOINT_PREFIX": "/sso/"], ["WORKOS_API_PORT": "4200"]),
    ] as [([String: String], [String: String])])
    func originsAgreeWithTheLoader(_ fileExtras: [String: String], _ environment: [String: String]) throws {
        let file = Self.required.merging(fileExtras) { $1 }
        let sources = sources(file: file, environment: environment)
        let described = Dictionary(uniqueKeysWithValues: ConfigLoader.describe(try ConfigLoader.load(sources.variables)).map { ($0.name, $0.value) })
        for (name, value) in described {
            let origin = sources.origin(of: name)
            switch origin.place {
            case .default:
                var without = sources.variables
                without[name] = nil
                let fallback = Dictionary(uniqueKeysWithValues: ConfigLoader.describe(try ConfigLoader.load(without)).map { ($0.name, $0.value) })
                #expect(fallback[name] == value, "\(name)")
            case .environment:
                #expect(!(environment[origin.variable ?? name] ?? "").isEmpty, "\(name)")
            case .file:
                #expect(environment[origin.variable ?? name] == nil, "\(name)")
                #expect(!(file[origin.variable ?? name] ?? "").isEmpty, "\(name)")
            }
        }
        #expect(sources.origin(of: "WORKOS_CLIENT_ID").place == .file(Self.path))
    }
}
