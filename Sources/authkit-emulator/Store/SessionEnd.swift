/// Logout and revoke.
extension StoreState {
    /// Ends a session: its refresh tokens stop working. Returns whether it existed.
    @discardableResult
    mutating func endSession(_ id: String) -> Bool {
        guard var session = sessions[id] else { return false }
        if session.active {
            session.active = false
            sessions[id] = session
            counters.bump("sessions_ended")
        }
        return true
    }
}
