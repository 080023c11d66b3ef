/// `POST /user_management/authenticate`, transport-free: client authentication, then the grant.
extension StoreState {
    /// How the caller proved who it is.
    enum ClientProof: Equatable {
        /// `client_secret` or `Authorization: Bearer` equal to the API key.
        case apiKey
        /// Neither given: a public client, allowed only with PKCE.
        case publicClient
        /// Wrong client or key: the answer to send.
        case rejected(APIReply)
    }

    /// Answers an authenticate call from its body fields and Bearer key, with WorkOS's
    /// status codes and error shapes.
    mutating func authenticate(_ fields: [String: String], bearer: String?) -> APIReply {
        let grant = fields["grant_type"] ?? ""
        counters.bump("authenticate.\(grant.isEmpty ? "missing" : grant)")
        let proof = clientProof(fields, bearer: bearer)
        let reply: APIReply
        switch (proof, grant) {
        case (.rejected(let error), _): reply = error
        case (_, "authorization_code"): reply = exchangeCode(fields, proof: proof)
        case (_, "refresh_token"): reply = refresh(fields, proof: proof)
        case (_, ""): reply = .oauthError("invalid_request", "grant_type is required.")
        default: reply = .oauthError("unsupported_grant_type", "The grant type \(grant) is not supported by the emulator.")
        }
        if let code = reply.body["error"]?.stringValue ?? reply.body["code"]?.stringValue { counters.bump("errors.\(code)") }
        return reply
    }

    /// The client ID must be ours; a key, when given in either place, must be the API key.
    private func clientProof(_ fields: [String: String], bearer: String?) -> ClientProof {
        guard let clientId = fields["client_id"], !clientId.isEmpty else {
            return .rejected(.oauthError("invalid_request", "client_id is required."))
        }
        guard clientId == settings.clientId else { return .rejected(.oauthError("invalid_client", "Invalid client ID.")) }
        let offered = [fields["client_secret"], bearer].compactMap { $0 }.filter { !$0.isEmpty }
        if offered.isEmpty { return .publicClient }
        guard offered.allSatisfy({ $0 == settings.apiKey }) else {
            return .rejected(.oauthError("invalid_client", "Invalid client secret.", status: 401))
        }
        return .apiKey
    }
}
