/// authkit's `onSuccess` for sites without code: after a successful sign-in, POST what
/// authkit-nextjs hands `onSuccess` to `AUTHKIT_ON_SUCCESS_URL`, signed by ``HookSigner`` so
/// the receiver can tell it came from us.
///
/// A failing hook is logged and does not block sign-in unless `required` is set.
public struct SignInHook: Sendable {
    public let url: String
    public let required: Bool
    private let signer: HookSigner
    private let transport: any HTTPTransport

    public init(url: String, secret: String, required: Bool, transport: any HTTPTransport, clock: any WallClock) {
        self.url = url
        self.signer = HookSigner(secret: secret, clock: clock)
        self.required = required
        self.transport = transport
    }

    /// The JSON body: `{user, organizationId, authenticationMethod, oauthTokens, impersonator, state}`.
    static func body(_ response: AuthenticationResponse, customState: String?) -> JSONValue {
        .object([
            ("user", response.user.json),
            ("organizationId", response.organizationId.map(JSONValue.string) ?? .null),
            ("authenticationMethod", response.authenticationMethod.map(JSONValue.string) ?? .null),
            ("oauthTokens", response.oauthTokens ?? .null),
            ("impersonator", response.impersonator.map { .object([("email", .string($0.email)), ("reason", $0.reason.map(JSONValue.string) ?? .null)]) } ?? .null),
            ("state", customState.map(JSONValue.string) ?? .null),
        ])
    }

    /// Sends the hook; nil on success, else why it failed (safe to log).
    func send(_ response: AuthenticationResponse, customState: String?) -> String? {
        let request = signer.request(url: url, json: Self.body(response, customState: customState))
        do {
            let answer = try transport.send(request)
            return (200...299).contains(answer.status) ? nil : "hook answered HTTP \(answer.status)"
        } catch {
            return "hook unreachable: \(error)"
        }
    }
}
