import Testing
@testable import AuthKitGateway

@Suite struct CGIGuardTests {
    /// The guard's local redirect is a path of ours: a target whose first colon is not followed
    /// by `://` is refused, not cut at a later `://` (`a:b://c/d` is not `/d`: Apache would
    /// serve /d without a check of /d's own location). The guard once had its own copy of this
    /// function that did exactly that; it now uses ``CGIScript/localRedirectTarget(_:)``, the
    /// one the fuzzer runs.
    @Test(arguments: ["a:b://c/d", "x:y:z://host/admin", "mailto:a://b/c"])
    func aTargetWithAColonBeforeItsSchemeIsRefused(target: String) {
        #expect(CGIScript.localRedirectTarget(target) == nil)
    }
}
