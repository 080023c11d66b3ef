import HTTPTypes
import Hummingbird

/// Building the emulator's HTTP responses.
extension Response {
    /// A JSON answer with its extra headers.
    init(_ reply: APIReply) {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        self.init(status: .init(code: reply.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: reply.body.bytes())))
    }

    /// An HTML page.
    static func html(_ status: HTTPResponse.Status, _ page: String) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    /// A 302 to `location`, as WorkOS answers the browser endpoints.
    static func found(_ location: String) -> Response {
        Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
    }
}
