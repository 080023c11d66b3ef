import Hummingbird

/// Applies injected faults to the emulated API (never to `/_emulate/`): latency, then a
/// dropped connection or an injected answer, before the endpoint or (`after`) instead of its
/// answer.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = EmulatorContext
    let store: EmulatorStore

    /// Thrown after closing the connection, so nothing is written.
    struct ConnectionDropped: Error {}

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !path.hasPrefix("/_emulate/") else { return try await next(request, context) }
        let fault = store.with { state -> Fault? in
            let fault = state.faults.take(path: path, method: request.method.rawValue)
            if fault != nil { state.counters.bump("faults_applied") }
            return fault
        }
        guard let fault else { return try await next(request, context) }

        if fault.latencyMs > 0 { try await Task.sleep(for: .milliseconds(fault.latencyMs)) }
        if !fault.after {
            if fault.dropConnection { try await drop(context) }
            if let reply = fault.reply { return Response(reply) }
            return try await next(request, context)
        }
        let response = try await next(request, context)
        if fault.dropConnection { try await drop(context) }
        return fault.reply.map(Response.init) ?? response
    }

    private func drop(_ context: Context) async throws -> Never {
        try? await context.channel.close()
        throw ConnectionDropped()
    }
}
