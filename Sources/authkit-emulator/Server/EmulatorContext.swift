import Hummingbird
import NIOCore

/// The emulator's request context: Hummingbird's basics plus the connection's channel, so an
/// injected fault can drop the connection like a network failure would.
struct EmulatorContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Request bodies are small JSON or form documents.
    var maxUploadSize: Int { 256 * 1024 }
}
