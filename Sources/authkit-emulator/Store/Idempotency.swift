import AuthKitCrypto

extension StoreState {
    /// Runs `perform` once per `Idempotency-Key`: a retry with the same key and the same body
    /// gets the stored answer without consuming anything again (the WorkOS SDKs send a key on
    /// every POST and retry 5xx and network errors with it). The same key with a different
    /// body is refused. Without a key, `perform` just runs.
    mutating func idempotent(key: String?, body: [UInt8], _ perform: (inout StoreState) -> APIReply) -> APIReply {
        guard let key, !key.isEmpty else { return perform(&self) }
        let digest = Digest.sha256(body)
        if let stored = idempotentReplies[key] {
            guard stored.bodyDigest == digest else {
                counters.bump("errors.idempotency_key_reused")
                return .error(400, code: "idempotency_key_reused",
                              message: "This Idempotency-Key was already used with a different request body.")
            }
            counters.bump("idempotent_replays")
            var replay = stored.reply
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        }
        let reply = perform(&self)
        idempotentReplies[key] = StoredReply(bodyDigest: digest, reply: reply)
        return reply
    }
}
