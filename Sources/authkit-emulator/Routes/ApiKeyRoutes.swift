import Hummingbird

/// Organization API keys (API key as Bearer on every call), as the WorkOS SDKs call them:
///
/// - `POST   /organizations/{id}/api_keys` `{"name", "permissions"?, "expires_at"?}` → 201, the key with its `value`
/// - `GET    /organizations/{id}/api_keys` → the list shape (`limit`, `order`, `before`, `after`)
/// - `POST   /api_keys/validations` `{"value"}` → `{"api_key": {…} | null}`
/// - `POST   /api_keys/{id}/expire` `{"expires_at"?}` → the key
/// - `DELETE /api_keys/{id}` → 204
struct ApiKeyRoutes {
    let store: EmulatorStore

    func register(on router: Router<EmulatorContext>) {
        router.post("/organizations/:organization/api_keys") { request, context in
            var request = request
            let body = try await request.bodyJSON(context: context)
            let organization = context.parameters.get("organization") ?? ""
            let bearer = request.bearerToken
            return Response(store.with { $0.createApiKey(organizationId: organization, body, bearer: bearer) })
        }
        router.get("/organizations/:organization/api_keys") { request, context in
            let organization = context.parameters.get("organization") ?? ""
            let query = request.queryFields
            let bearer = request.bearerToken
            return Response(store.with { $0.listApiKeys(organizationId: organization, query, bearer: bearer) })
        }
        router.post("/api_keys/validations") { request, context in
            var request = request
            let body = try await request.bodyJSON(context: context)
            let bearer = request.bearerToken
            return Response(store.with { $0.validateApiKey(body, bearer: bearer) })
        }
        router.post("/api_keys/:id/expire") { request, context in
            var request = request
            let body = try await request.bodyJSON(context: context)
            let id = context.parameters.get("id") ?? ""
            let bearer = request.bearerToken
            return Response(store.with { $0.expireApiKey(id: id, body, bearer: bearer) })
        }
        router.delete("/api_keys/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            let bearer = request.bearerToken
            let reply = store.with { $0.deleteApiKey(id: id, bearer: bearer) }
            return reply.status == 204 ? Response(status: .noContent) : Response(reply)
        }
    }
}
