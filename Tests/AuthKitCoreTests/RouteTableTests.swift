import AuthKitCore
import Testing

@Suite struct RouteTableTests {
    static let settings = EndpointSettings(origin: "https://a.example", redirectURI: "https://a.example/auth/callback")

    static func route(_ uri: String, action: String? = nil, _ variables: [String: String] = [:]) -> Route {
        var request = AuthRequest(method: "GET", requestURI: uri)
        if let action { request.parameters["AUTHKIT_ACTION"] = action }
        return RouteTable.route(request, serverVariables: variables, settings: settings)
    }

    /// Every endpoint by its path under the prefix, a trailing slash allowed; the check has none.
    @Test func everyEndpointHasItsPath() {
        for action in AuthAction.allCases where action != .check {
            #expect(Self.route("/auth/\(action.rawValue)") == .action(action))
            #expect(Self.route("/auth/\(action.rawValue)/") == .action(action))
            #expect(Self.route("/auth/\(action.rawValue)?a=1") == .action(action))
        }
        #expect(Self.route("/auth/check") == .notFound)
        #expect(Self.route("/auth/callback") == .action(.callback))
        #expect(Self.route("/auth/") == .notFound)
        #expect(Self.route("/other/sign-in") == .notFound)
        #expect(Self.route("/auth/sign-in/x") == .notFound)
    }

    /// AUTHKIT_ACTION names a route whatever the path; ASCII case folded, bytes compared.
    @Test func theServerNamesTheRoute() {
        #expect(Self.route("/anything", action: "check") == .action(.check))
        #expect(Self.route("/anything", action: "CHECK") == .action(.check))
        #expect(Self.route("/auth/sign-in", action: "check") == .action(.check))
        #expect(Self.route("/x", action: "denied") == .denied)
        #expect(Self.route("/x", action: "guard") == .cgiGuard)
        #expect(Self.route("/x", action: "none") == .notFound)
        #expect(Self.route("/auth/sign-in", action: "none") == .notFound)
        #expect(Self.route("/auth/sign-in", action: "bogus") == .notFound)
        // U+212A KELVIN SIGN folds to k in Unicode, and "chec\u{212A}" equals nothing here.
        #expect(Self.route("/x", action: "chec\u{212A}") == .notFound)
        #expect(RouteTable.named("chec\u{212A}") == nil)
        #expect(RouteTable.named("sign-in") == .action(.signIn))
    }

    /// Apache's authorizer role comes first: whatever the path or the named action.
    @Test func theAuthorizerRoleComesFirst() {
        #expect(Self.route("/auth/sign-in", action: "denied", ["FCGI_ROLE": "AUTHORIZER"]) == .authorizer(accessChecker: false))
        #expect(Self.route("/x", ["FCGI_ROLE": "AUTHORIZER", "FCGI_APACHE_ROLE": "ACCESS_CHECKER"]) == .authorizer(accessChecker: true))
        #expect(Self.route("/auth/session", ["FCGI_ROLE": "RESPONDER"]) == .action(.session))
    }

    /// Every name the table lists routes to what it says, and the names are distinct.
    @Test func theTableIsConsistent() {
        let names = RouteTable.named.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.count == AuthAction.allCases.count + 3)
        for (name, route) in RouteTable.named { #expect(RouteTable.named(name) == route) }
    }
}
