import Foundation
import Hummingbird

/// Test controls under `/_emulate/`: faults (hooks), key rotation, clock shift, counters,
/// access-token lifetime.
struct ControlRoutes {
    let state: EmulatorState

    func register(_ router: Router<EmulatorContext>) {
        router.post("/_emulate/hooks") { request, context in
            var request = request
            let buffer = try await request.collectBody(upTo: 1 << 20)
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any],
                  let path = object["path"] as? String else {
                return Reply.json(.badRequest, ["message": "expected {\"path\": \"/user_management/authenticate\", …}"])
            }
            return state.with { data -> Response in
                data.faultSequence += 1
                let fault = Fault(
                    id: data.faultSequence, path: path, method: (object["method"] as? String)?.uppercased(),
                    status: object["status"] as? Int, body: object["body"] as? String,
                    headers: object["headers"] as? [String: String] ?? [:], latencyMs: object["latency_ms"] as? Int ?? 0,
                    dropConnection: object["drop_connection"] as? Bool ?? false, remaining: object["times"] as? Int)
                data.faults.append(fault)
                return Reply.json(.created, fault.json)
            }
        }
        router.get("/_emulate/hooks") { _, _ in state.with { Reply.json(.ok, ["hooks": $0.faults.map(\.json)]) } }
        router.delete("/_emulate/hooks") { _, _ in
            state.with { $0.faults.removeAll() }
            return Reply.json(.ok, ["hooks": [Any]()])
        }

        router.post("/_emulate/keys/rotate") { request, context in
            var request = request
            let keepOld = try await request.fields(context: context).fields["keep_old"].map { $0 == "1" || $0 == "true" } ?? true
            return state.with { data -> Response in
                data.keySequence += 1
                let key = SigningKey.generate(sequence: data.keySequence)
                data.keys = (keepOld ? data.keys : []) + [key]
                return Reply.json(.ok, ["kid": key.id, "keys": data.keys.count])
            }
        }

        router.post("/_emulate/clock") { request, context in
            var request = request
            let offset = Double(try await request.fields(context: context).fields["offset_seconds"] ?? "0") ?? 0
            return state.with { data -> Response in
                data.clockOffset = offset
                return Reply.json(.ok, ["offset_seconds": offset, "now": Int(data.now.timeIntervalSince1970)])
            }
        }

        router.get("/_emulate/counters") { _, _ in state.with { Reply.json(.ok, $0.counters) } }
        router.post("/_emulate/counters/reset") { _, _ in
            state.with { $0.counters.removeAll() }
            return Reply.json(.ok, [String: Int]())
        }

        router.post("/_emulate/config") { request, context in
            var request = request
            let fields = try await request.fields(context: context).fields
            return state.with { data -> Response in
                if let ttl = fields["access_token_ttl"].flatMap(Int.init), ttl > 0 { data.settings.accessTokenTTL = ttl }
                return Reply.json(.ok, ["access_token_ttl": data.settings.accessTokenTTL])
            }
        }
    }
}

/// Applies injected faults before routing, and stamps `X-Request-ID` on every answer.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = EmulatorContext
    let state: EmulatorState

    struct Dropped: Error {}

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let method = request.method.rawValue
        let fault: Fault? = path.hasPrefix("/_emulate/") ? nil : state.with { data in
            guard let index = data.faults.firstIndex(where: { path.hasPrefix($0.path) && ($0.method == nil || $0.method == method) }) else {
                return nil
            }
            let fault = data.faults[index]
            if let remaining = fault.remaining {
                if remaining <= 1 { data.faults.remove(at: index) } else { data.faults[index].remaining = remaining - 1 }
            }
            data.count("faults_applied")
            return fault
        }
        if let fault {
            if fault.latencyMs > 0 { try await Task.sleep(nanoseconds: UInt64(fault.latencyMs) * 1_000_000) }
            if fault.dropConnection {
                try? await context.channel.close()
                throw Dropped()
            }
            if let status = fault.status {
                var response = Reply.json(.init(code: status), fault.body.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
                                            ?? ["message": "Injected fault"], headers: fault.headers)
                response.headers[.init("X-Request-ID")!] = "req_emulate_\(UUID().uuidString.prefix(8))"
                return response
            }
        }
        var response = try await next(request, context)
        response.headers[.init("X-Request-ID")!] = "req_emulate_\(UUID().uuidString.prefix(8))"
        return response
    }
}
