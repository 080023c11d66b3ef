import Hummingbird

/// `/_emulate/hooks`: inject faults (see `Fault` for the JSON), list them, clear them.
///
/// - `POST /_emulate/hooks` `{"path":…, "status":…, "times":…, …}` → 201 with the hook and its `id`
/// - `GET /_emulate/hooks` → `{"hooks":[…]}`
/// - `DELETE /_emulate/hooks` → clears all; `DELETE /_emulate/hooks/{id}` → one
struct HookRoutes {
    let store: EmulatorStore

    func register(on router: Router<EmulatorContext>) {
        router.post("/_emulate/hooks") { request, context in
            var request = request
            guard let json = try await request.bodyJSON(context: context) else {
                return Response(.error(400, code: "invalid_json", message: "The body is not JSON."))
            }
            return Response(store.with { state -> APIReply in
                switch state.faults.add(json) {
                case .success(let fault): APIReply(status: 201, body: fault.json)
                case .failure(let error): .error(400, code: "invalid_hook", message: error.message)
                }
            })
        }
        router.get("/_emulate/hooks") { _, _ in Response(.ok(store.with { $0.faults.json })) }
        router.delete("/_emulate/hooks") { _, _ in
            Response(.ok(store.with { state in
                state.faults.removeAll()
                return state.faults.json
            }))
        }
        router.delete("/_emulate/hooks/:id") { _, context in
            let id = context.parameters.get("id").flatMap(Int.init) ?? -1
            let removed = store.with { $0.faults.remove(id: id) }
            return Response(removed ? .ok(["deleted": .int(id)]) : .error(404, code: "entity_not_found", message: "No hook \(id)."))
        }
    }
}
