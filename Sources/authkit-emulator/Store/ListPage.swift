/// WorkOS's list endpoints' paging, shared by every list the emulator serves: `limit` 1…100
/// (default 10), `order` `desc` (default, newest first) or `asc` by creation, cursors
/// `before`/`after` naming an item's ID, and `list_metadata` with the neighbours' cursors.
struct ListPage<Item> {
    let items: ArraySlice<Item>
    let metadata: JSONValue

    /// One page of `oldestFirst` for `query`, or the 422 WorkOS answers for bad parameters.
    static func make(_ oldestFirst: [Item], query: [String: String], id: (Item) -> String, noun: String) -> Result<ListPage, APIReplyError> {
        let limitText = query["limit"] ?? "10"
        guard let limit = Int(limitText), (1...100).contains(limit) else {
            return .failure(APIReplyError(.error(422, code: "invalid_request_parameters", message: "limit must be a number from 1 to 100.")))
        }
        let order = query["order"] ?? "desc"
        guard order == "asc" || order == "desc" else {
            return .failure(APIReplyError(.error(422, code: "invalid_request_parameters", message: "order must be asc or desc.")))
        }
        let ordered = order == "asc" ? oldestFirst : oldestFirst.reversed()
        func unknown(_ cursor: String) -> APIReplyError {
            APIReplyError(.error(422, code: "invalid_request_parameters", message: "The cursor '\(cursor)' is not \(noun) in this list."))
        }
        let page: ArraySlice<Item>
        if let after = query["after"], !after.isEmpty {
            guard let index = ordered.firstIndex(where: { id($0) == after }) else { return .failure(unknown(after)) }
            page = ordered[(index + 1)...].prefix(limit)
        } else if let before = query["before"], !before.isEmpty {
            guard let index = ordered.firstIndex(where: { id($0) == before }) else { return .failure(unknown(before)) }
            page = ordered[..<index].suffix(limit)
        } else {
            page = ordered.prefix(limit)
        }
        let first = ordered.first.map(id), last = ordered.last.map(id)
        let metadata: JSONValue = [
            "before": page.first.map(id).flatMap { $0 == first ? nil : $0 }.map(JSONValue.string) ?? .null,
            "after": page.last.map(id).flatMap { $0 == last ? nil : $0 }.map(JSONValue.string) ?? .null,
        ]
        return .success(ListPage(items: page, metadata: metadata))
    }

    /// `{"object": "list", "data": […], "list_metadata": {…}}`.
    func reply(_ json: (Item) -> JSONValue) -> APIReply {
        .ok(["object": "list", "data": .array(items.map(json)), "list_metadata": metadata])
    }
}

/// An answer that ends a handler early, as an error value.
struct APIReplyError: Error {
    let reply: APIReply
    init(_ reply: APIReply) { self.reply = reply }
}
