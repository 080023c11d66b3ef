import HTTPTypes
import Hummingbird

/// A receiver for the hooks authkit-fcgi sends (sign-in, refresh), so tests need no server of
/// their own: every POST is recorded with its signature header and body, and answered 200
/// (unless a fault hook on the path says otherwise, which is how tests make a receiver fail).
///
/// - `POST /_emulate/webhooks/{name}` → 200 `{"received": n}`
/// - `GET /_emulate/webhooks` → `{"webhooks":[{"name", "signature", "body", "received_at"}]}`, oldest first
/// - `DELETE /_emulate/webhooks` → forgets them
struct WebhookRoutes {
    let store: EmulatorStore

    func register(on router: Router<EmulatorContext>) {
        router.post("/_emulate/webhooks/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            let signature = request.headers[HTTPField.Name("X-AuthKit-Signature")!] ?? ""
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            let count = store.with { state -> Int in
                state.webhooks.record(ReceivedWebhook(
                    name: name, signature: signature, body: String(decoding: body.readableBytesView, as: UTF8.self),
                    receivedAt: state.clock.unixSeconds))
                return state.webhooks.all.count
            }
            return Response(.ok(["received": .int(count)]))
        }
        router.get("/_emulate/webhooks") { _, _ in
            Response(.ok(["webhooks": .array(store.with { $0.webhooks.all.map(\.json) })]))
        }
        router.delete("/_emulate/webhooks") { _, _ in
            store.with { $0.webhooks = ReceivedWebhooks() }
            return Response(.ok(["webhooks": .array([])]))
        }
    }
}

/// One POST to `/_emulate/webhooks/{name}`.
struct ReceivedWebhook: Sendable {
    let name: String
    let signature: String
    let body: String
    let receivedAt: Int

    var json: JSONValue {
        ["name": .string(name), "signature": .string(signature), "body": .string(body), "received_at": .int(receivedAt)]
    }
}

/// The last 1000 received webhooks.
struct ReceivedWebhooks: Sendable {
    private(set) var all: [ReceivedWebhook] = []

    mutating func record(_ webhook: ReceivedWebhook) {
        all.append(webhook)
        if all.count > 1000 { all.removeFirst(all.count - 1000) }
    }
}
