import Testing
@testable import AuthKitCore

@Suite struct NavigationClassifierTests {
    func classify(_ headers: [String: String]) -> Bool {
        NavigationClassifier.isNavigation { headers[$0] }
    }

    @Test func browserPageLoadsAreNavigations() {
        #expect(classify(["accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                          "sec-fetch-mode": "navigate", "sec-fetch-dest": "document"]))
        #expect(classify(["accept": "*/*"]))  // curl
        #expect(classify([:]))
    }

    @Test func scriptsAndAssetsAreNot() {
        #expect(!classify(["x-requested-with": "XMLHttpRequest", "accept": "*/*"]))
        #expect(!classify(["sec-fetch-mode": "cors", "accept": "*/*"]))
        #expect(!classify(["sec-fetch-mode": "no-cors", "sec-fetch-dest": "image", "accept": "image/avif,image/webp,*/*"]))
        #expect(!classify(["sec-fetch-mode": "navigate", "sec-fetch-dest": "empty"]))
        #expect(!classify(["accept": "application/json"]))
    }
}
