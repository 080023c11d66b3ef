/// The active faults, first added first matched.
struct FaultList: Sendable {
    private(set) var faults: [Fault] = []
    private var lastId = 0

    /// Adds a hook from the control API's JSON.
    mutating func add(_ json: JSONValue) -> Result<Fault, FaultError> {
        let result = Fault.parse(json, id: lastId + 1)
        if case .success(let fault) = result {
            lastId += 1
            faults.append(fault)
        }
        return result
    }

    /// The fault for this request, if any, counting it against its `times`.
    mutating func take(path: String, method: String) -> Fault? {
        guard let index = faults.firstIndex(where: { $0.matches(path: path, method: method) }) else { return nil }
        let fault = faults[index]
        if let remaining = fault.remaining {
            if remaining <= 1 { faults.remove(at: index) } else { faults[index].remaining = remaining - 1 }
        }
        return fault
    }

    /// Removes one hook; returns whether it existed.
    mutating func remove(id: Int) -> Bool {
        guard let index = faults.firstIndex(where: { $0.id == id }) else { return false }
        faults.remove(at: index)
        return true
    }

    mutating func removeAll() { faults.removeAll() }

    var json: JSONValue { ["hooks": .array(faults.map(\.json))] }
}
