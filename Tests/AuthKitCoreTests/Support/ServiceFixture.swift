import Logging
import Testing
@testable import AuthKitCore

/// An ``AuthKitService`` over a scripted WorkOS whose authenticate call always signs the
/// fixture user in (with `token`, by default valid for 300 s from `start`).
struct ServiceFixture {
    let service: AuthKitService
    let workos: ScriptedTransport
    let clock: ManualClock
    let sealer: SessionSealer
    /// The access token the scripted WorkOS hands out.
    let accessToken: String

    init(start: Int64 = 1_785_000_000, factory: TokenFactory = TokenFactory(), apiUser: String = Fixtures.apiUser(),
         token: String? = nil, logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
         settings change: (inout EndpointSettings) -> Void = { _ in }) {
        let config = Fixtures.config()
        clock = ManualClock(seconds: start)
        let accessToken = token ?? factory.accessToken(iat: start, exp: start + 300)
        self.accessToken = accessToken
        workos = ScriptedTransport { _ throws(HTTPTransportError) in
            ScriptedTransport.json(200, #"{"user":\#(apiUser),"organization_id":"org_01","access_token":"\#(accessToken)","refresh_token":"rt_1"}"#)
        }
        sealer = SessionSealer(config: config, clock: clock, random: SecureRandom())
        let authenticator = SessionAuthenticator(
            sealer: sealer, verifier: AccessTokenVerifier(keys: StaticKeyProvider(factory.keySet), clock: clock, issuers: TokenFactory.issuers),
            workos: WorkOSClient(config: config, transport: workos, random: SecureRandom()),
            policy: RefreshPolicy(bufferSeconds: nil), cookieOptions: .session(config: config), clock: clock, logger: logger)
        var settings = EndpointSettings(origin: "https://app.example.com", redirectURI: config.redirectURI)
        change(&settings)
        service = AuthKitService(settings: settings, authenticator: authenticator, clock: clock, random: SecureRandom(), logger: logger)
    }
}

extension ServiceFixture {
    /// A session cookie for the fixture user holding ``accessToken``, as the callback seals it.
    func signedInCookie() throws -> String {
        let user = try #require(SessionUser(apiJSON: try JSONParser.parse(Array(Fixtures.apiUser().utf8))))
        return sealer.sealSession(SessionPayload(accessToken: accessToken, refreshToken: "rt_1", user: user))
    }
}
