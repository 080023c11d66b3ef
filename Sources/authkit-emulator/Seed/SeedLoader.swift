import Foundation

/// Reading and checking a seed file, once, at start-up.
enum SeedLoader {
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads a JSON seed file and checks that every reference resolves.
    static func load(path: String) throws -> Seed {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw Invalid(description: "cannot read seed file \(path): \(error.localizedDescription)")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let seed: Seed
        do {
            seed = try decoder.decode(Seed.self, from: data)
        } catch let error as DecodingError {
            throw Invalid(description: "seed file \(path) is not a valid seed (JSON): \(explain(error))")
        }
        let problems = problems(in: seed)
        guard problems.isEmpty else {
            throw Invalid(description: "seed file \(path): " + problems.joined(separator: "; "))
        }
        return seed
    }

    /// What is wrong with a seed: no users, duplicate IDs, references to nothing.
    static func problems(in seed: Seed) -> [String] {
        var problems: [String] = []
        if seed.users.isEmpty { problems.append("it needs at least one user") }
        let userIds = seed.users.map(\.id), organizationIds = (seed.organizations ?? []).map(\.id)
        for id in Set(userIds) where userIds.filter({ $0 == id }).count > 1 { problems.append("duplicate user id \(id)") }
        for id in Set(organizationIds) where organizationIds.filter({ $0 == id }).count > 1 {
            problems.append("duplicate organization id \(id)")
        }
        for membership in seed.memberships ?? [] {
            if !userIds.contains(membership.userId) { problems.append("membership of unknown user \(membership.userId)") }
            if !organizationIds.contains(membership.organizationId) {
                problems.append("membership in unknown organization \(membership.organizationId)")
            }
        }
        for impersonation in seed.impersonations ?? [] where !userIds.contains(impersonation.userId) {
            problems.append("impersonation of unknown user \(impersonation.userId)")
        }
        return problems
    }

    private static func explain(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context): "missing \(path(context.codingPath + [key]))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): "wrong type at \(path(context.codingPath))"
        case .dataCorrupted(let context): context.codingPath.isEmpty ? "not JSON" : "bad value at \(path(context.codingPath))"
        @unknown default: "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}
