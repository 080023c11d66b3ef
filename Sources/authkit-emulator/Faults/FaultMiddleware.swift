import Hummingbird
import HTTPTypes

/// Applies injected faults to the emulated API (never to `/_emulate/`): latency, then a
/// dropped connection or an injected answer, before the endpoint or (`after`) instead of its
/// answer; `raw_body` and `truncate_body` break the answer itself.
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
            if let reply = fault.reply { return broken(Self.response(reply, fault), fault, context) }
            return broken(try await next(request, context), fault, context)
        }
        let response = try await next(request, context)
        if fault.dropConnection { try await drop(context) }
        return broken(fault.reply.map { Self.response($0, fault) } ?? response, fault, context)
    }

    private static func response(_ reply: APIReply, _ fault: Fault) -> Response {
        guard let raw = fault.rawBody else { return Response(reply) }
        var response = Response(reply)
        response.body = .init(byteBuffer: ByteBuffer(string: raw))
        return response
    }

    /// With `truncate_body`: the same head (its Content-Length the whole body's), then the first
    /// bytes of the body, then the connection closes.
    private func broken(_ response: Response, _ fault: Fault, _ context: Context) -> Response {
        guard let keep = fault.truncateBody else { return response }
        let body = response.body
        let channel = context.channel
        var cut = response
        cut.body = ResponseBody(contentLength: body.contentLength) { writer in
            do { try await body.write(CuttingWriter(inner: writer, remaining: keep)) } catch is CuttingWriter.Cut {}
            try? await channel.close()
            throw ConnectionDropped()
        }
        return cut
    }

    private func drop(_ context: Context) async throws -> Never {
        try? await context.channel.close()
        throw ConnectionDropped()
    }
}

/// Passes on the first `remaining` bytes of a body, then stops the write with `Cut`.
private struct CuttingWriter: ResponseBodyWriter {
    struct Cut: Error {}
    var inner: any ResponseBodyWriter
    var remaining: Int

    mutating func write(_ buffer: ByteBuffer) async throws {
        let count = min(remaining, buffer.readableBytes)
        if count > 0 { try await inner.write(buffer.getSlice(at: buffer.readerIndex, length: count) ?? buffer) }
        remaining -= count
        if remaining <= 0 { throw Cut() }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws { throw Cut() }
}
