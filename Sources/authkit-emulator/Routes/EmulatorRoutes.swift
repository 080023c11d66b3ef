import Hummingbird
import Logging

/// Every route of the emulator, in one place.
///
/// WorkOS API (what authkit-nextjs and authkit-fcgi call):
/// - `GET  /user_management/authorize`: sign-in (302 with `code` and `state`, or a page)
/// - `POST /user_management/authorize/approve`: the sign-in page's choice
/// - `POST /user_management/authenticate`: `authorization_code` and `refresh_token` grants
/// - `GET  /sso/jwks/{client_id}`: signing keys
/// - `GET  /user_management/sessions/logout`: end a session, 302 to `return_to`
/// - `POST /user_management/sessions/revoke`: end a session (API key)
/// - `GET  /user_management/users`: list the seeded users (API key; `limit`, `order`, cursors)
/// - organization API keys: create, list, validate, expire, delete (API key; see `ApiKeyRoutes`)
/// - `GET  /health`
///
/// Test controls (`/_emulate/…`, see `ControlRoutes`, `HookRoutes`, `WebhookRoutes`): hooks
/// (faults), webhooks (a receiver for authkit-fcgi's hooks), keys/rotate, clock, counters, config, reset.
enum EmulatorRoutes {
    static func router(store: EmulatorStore, logger: Logger) -> Router<EmulatorContext> {
        let router = Router(context: EmulatorContext.self)
        router.add(middleware: RequestIDMiddleware(logger: logger))
        router.add(middleware: FaultMiddleware(store: store))
        router.get("/health") { _, _ in Response(.ok(["status": "ok"])) }
        AuthorizeRoutes(store: store).register(on: router)
        AuthenticateRoute(store: store).register(on: router)
        JWKSRoute(store: store).register(on: router)
        SessionRoutes(store: store).register(on: router)
        UserRoutes(store: store).register(on: router)
        ApiKeyRoutes(store: store).register(on: router)
        HookRoutes(store: store).register(on: router)
        WebhookRoutes(store: store).register(on: router)
        ControlRoutes(store: store).register(on: router)
        return router
    }
}
